import { IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsNovaUrl } from '../validators';
import { IntOpt, ListOpt, PathOpt, Section, StrOpt } from '../option.decorator';

/** Prometheus metrics: a listener of its own, never on the API's port. */
@Section('metrics')
export class MetricsOptions {
  @StrOpt('Address the /metrics listener binds to.')
  @IsString()
  listen: string = '127.0.0.1';

  @IntOpt('Port of the /metrics listener (unset: no listener; 0: any free port).')
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  port?: number;
}

/** Nova's [notifications] options. */
@Section('notifications')
export class NotificationsOptions {
  @StrOpt('Which notifications are sent: unversioned, versioned or both.')
  @IsIn(['unversioned', 'versioned', 'both'])
  notification_format: string = 'versioned';

  @StrOpt('Send instance.update on state changes: vm_state, vm_and_task_state, or unset for none.')
  @IsOptional()
  @IsIn(['vm_state', 'vm_and_task_state'])
  notify_on_state_change?: string;

  @StrOpt('Priority of the unversioned notifications without one of their own.')
  @IsIn(['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'])
  default_level: string = 'INFO';

  @ListOpt('Topics the versioned notifications are sent to.')
  @IsArray()
  @IsString({ each: true })
  versioned_notifications_topics: string[] = ['versioned_notifications'];
}

/** oslo.messaging's notifier options. */
@Section('oslo_messaging_notifications')
export class MessagingNotificationsOptions {
  @ListOpt(
    'Drivers: messagingv2 (or messaging) sends to the queue, log writes to the log, noop drops.',
  )
  @IsIn(['messagingv2', 'messaging', 'log', 'noop', 'routing', 'test'], { each: true })
  driver: string[] = [];

  @StrOpt('Queue for notifications (default: [DEFAULT] transport_url).', { secret: true })
  @IsOptional()
  @IsNovaUrl(['rabbit', 'amqp', 'inproc', 'none'])
  transport_url?: string;

  @ListOpt('Topics of the unversioned notifications.')
  @IsArray()
  @IsString({ each: true })
  topics: string[] = ['notifications'];
}

/** oslo.reports: where a Guru Meditation Report goes. */
@Section('oslo_reports')
export class ReportsOptions {
  @PathOpt('Directory for Guru Meditation Reports (unset: stderr).')
  @IsOptional()
  @IsString()
  log_dir?: string;
}
