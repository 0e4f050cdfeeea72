/** How waiting for a server's network-vif-plugged events ended. */
export type VifWaitOutcome = 'plugged' | 'failed' | 'timeout';

interface Waiting {
  readonly pending: Set<string>;
  failed: boolean;
  finish?: (outcome: VifWaitOutcome) => void;
}

/**
 * Nova's virtapi.wait_for_instance_event for `network-vif-plugged`: a build
 * registers the ports it waits for before it starts (an event may come
 * before the guest is up), the external events the API delivers tick them
 * off, and the build waits until all came, one failed, or the timeout.
 */
export class VifEvents {
  private readonly waiting = new Map<string, Waiting>();

  /** Start expecting the ports of `uuid`; returns the wait, to await after the spawn. */
  expect(uuid: string, portIds: readonly string[]): (timeoutMs: number) => Promise<VifWaitOutcome> {
    const entry: Waiting = { pending: new Set(portIds), failed: false };
    this.waiting.set(uuid, entry);
    return (timeoutMs) =>
      new Promise<VifWaitOutcome>((resolve) => {
        const done = (outcome: VifWaitOutcome) => {
          clearTimeout(timer);
          this.waiting.delete(uuid);
          resolve(outcome);
        };
        const timer = setTimeout(() => done('timeout'), timeoutMs);
        entry.finish = done;
        if (entry.failed) {
          done('failed');
        } else if (entry.pending.size === 0) {
          done('plugged');
        }
      });
  }

  /** Stop waiting for `uuid` (its build ended another way). */
  forget(uuid: string): void {
    this.waiting.delete(uuid);
  }

  /** A network-vif-plugged event; false when nothing waited for it. */
  deliver(uuid: string, portId: string | null, status: string): boolean {
    const entry = this.waiting.get(uuid);
    if (!entry || portId === null || !entry.pending.has(portId)) {
      return false;
    }
    if (status === 'failed') {
      entry.failed = true;
      entry.finish?.('failed');
      return true;
    }
    entry.pending.delete(portId);
    if (entry.pending.size === 0) {
      entry.finish?.('plugged');
    }
    return true;
  }
}
