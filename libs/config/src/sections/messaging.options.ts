import { IsBoolean } from 'class-validator';
import { BoolOpt, Section } from '../option.decorator';

/** oslo.messaging's RabbitMQ driver options that change how queues are declared. */
@Section('oslo_messaging_rabbit')
export class OsloMessagingRabbitOptions {
  @BoolOpt(
    'Declare the durable RPC queues (<topic>, <topic>.<host>) as quorum queues, replicated ' +
      'across the nodes of a RabbitMQ cluster; fanout and reply queues stay classic. ' +
      'Existing classic queues must be deleted before switching.',
  )
  @IsBoolean()
  rabbit_quorum_queue: boolean = false;
}
