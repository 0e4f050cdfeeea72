import { Conflict, NotFound, ServiceUnavailable } from '@nova/common';
import { allowRemoteErrors } from '@nova/rpc';

/** The instance's task_state was not what the writer expected (someone else acted first). */
export class UnexpectedTaskState extends Conflict {}

/** The instance is gone (deleted while a message was in flight). */
export class InstanceNotFound extends NotFound {}

/** No host passed the filters or could be claimed. */
export class NoValidHost extends ServiceUnavailable {}

/** The migration's status was not what the writer expected (aborted, confirmed meanwhile...). */
export class MigrationStateChanged extends Conflict {}

allowRemoteErrors(UnexpectedTaskState, InstanceNotFound, NoValidHost, MigrationStateChanged);
