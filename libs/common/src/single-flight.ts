/**
 * Concurrent callers asking for the same key share one in-flight promise, so 500
 * simultaneous first requests for a cold resource do the work once. A failure is
 * shared by the callers that were waiting, then forgotten so the next call retries.
 */
export class SingleFlight<K, V> {
  private readonly inFlight = new Map<K, Promise<V>>();

  run(key: K, work: () => Promise<V>): Promise<V> {
    const pending = this.inFlight.get(key);
    if (pending) {
      return pending;
    }
    const promise = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.inFlight.size;
  }
}
