/**
 * Pub/sub channel (the cache backend's: Redis across processes) on which a
 * host's changes reach the schedulers' host-state caches: every compute
 * report, relayed by its cell conductor, and every operator change of a
 * compute service (os-services). Nova's computes tell the scheduler the same
 * way (update_instance_info), over its fanout.
 */
export const HOST_REPORTS_CHANNEL = 'scheduler:host-reports';

export interface HostReportMessage {
  /** The cell's uuid. */
  readonly cell: string;
  readonly host: string;
  /**
   * False when only the heartbeat is news (the node, its inventory and its
   * service are as last reported): the scheduler then only notes the host alive.
   */
  readonly changed: boolean;
  /** When the service heartbeat was written (epoch ms). */
  readonly at: number;
}

interface Publisher {
  publish(channel: string, message: string): Promise<void>;
}

/** Publish, never throwing: a lost message only delays the scheduler until its safety refresh. */
export async function publishHostReport(
  cache: Publisher,
  message: HostReportMessage,
): Promise<boolean> {
  try {
    await cache.publish(HOST_REPORTS_CHANNEL, JSON.stringify(message));
    return true;
  } catch {
    return false;
  }
}

/** The message, or null when it is not one (another version, garbage). */
export function parseHostReport(raw: string): HostReportMessage | null {
  try {
    const m = JSON.parse(raw) as Partial<HostReportMessage>;
    return typeof m.cell === 'string' && typeof m.host === 'string'
      ? { cell: m.cell, host: m.host, changed: m.changed !== false, at: Number(m.at) || Date.now() }
      : null;
  } catch {
    return null;
  }
}
