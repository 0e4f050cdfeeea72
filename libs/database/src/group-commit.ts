/**
 * Group commit: writes submitted while a batch is being written wait and go
 * together in the next batch, so N concurrent writers pay for one transaction
 * (one commit, one log flush, a handful of statements) instead of N. A lone
 * write starts at once, so nothing waits when there is no contention.
 *
 * Jobs that share a key (the same row) never go in one batch: the later one
 * waits for the next batch, in submission order otherwise.
 */
export class GroupCommit<Job, Result> {
  private readonly queue: Array<Pending<Job, Result>> = [];
  private writing = false;

  constructor(
    /** Writes the batch (one transaction); one result per job, in order. Throwing fails the batch. */
    private readonly write: (jobs: readonly Job[]) => Promise<Result[]>,
    private readonly options: {
      /** The rows a job writes: jobs sharing one go in different batches. */
      readonly keys: (job: Job) => readonly string[];
      readonly maxBatch: number;
    },
  ) {}

  submit(job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.writing) {
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.nextBatch();
        try {
          const results = await this.write(batch.map((p) => p.job));
          batch.forEach((p, i) => p.resolve(results[i]));
        } catch (err) {
          batch.forEach((p) => p.reject(err));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Takes from the queue, in order, the jobs that share no key with one taken before. */
  private nextBatch(): Array<Pending<Job, Result>> {
    const taken = new Set<string>();
    const batch: Array<Pending<Job, Result>> = [];
    for (let i = 0; i < this.queue.length && batch.length < this.options.maxBatch;) {
      const pending = this.queue[i];
      const keys = this.options.keys(pending.job);
      if (keys.some((k) => taken.has(k))) {
        i++;
        continue;
      }
      keys.forEach((k) => taken.add(k));
      batch.push(pending);
      this.queue.splice(i, 1);
    }
    return batch;
  }
}

interface Pending<Job, Result> {
  readonly job: Job;
  readonly resolve: (result: Result) => void;
  readonly reject: (err: unknown) => void;
}
