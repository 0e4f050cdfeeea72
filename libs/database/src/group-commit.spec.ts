import { GroupCommit } from './group-commit';

interface Job {
  readonly id: number;
  readonly row: string;
}

/** A writer that records its batches and finishes each when the test says so. */
function recordingWriter() {
  const batches: number[][] = [];
  const finishers: Array<() => void> = [];
  const write = (jobs: readonly Job[]): Promise<string[]> => {
    batches.push(jobs.map((j) => j.id));
    return new Promise((resolve) => finishers.push(() => resolve(jobs.map((j) => `done ${j.id}`))));
  };
  const finishNext = async () => {
    finishers.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, finishNext };
}

const rows = (job: Job) => [job.row];

describe('GroupCommit', () => {
  it('writes a lone job at once, alone', async () => {
    const w = recordingWriter();
    const commit = new GroupCommit(w.write, { keys: rows, maxBatch: 8 });
    const result = commit.submit({ id: 1, row: 'a' });
    expect(w.batches).toEqual([[1]]);
    await w.finishNext();
    await expect(result).resolves.toBe('done 1');
  });

  it('writes jobs that arrive during a batch together in the next one', async () => {
    const w = recordingWriter();
    const commit = new GroupCommit(w.write, { keys: rows, maxBatch: 8 });
    const results = [1, 2, 3, 4].map((id) => commit.submit({ id, row: `r${id}` }));
    expect(w.batches).toEqual([[1]]);
    await w.finishNext();
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    await w.finishNext();
    await expect(Promise.all(results)).resolves.toEqual(['done 1', 'done 2', 'done 3', 'done 4']);
  });

  it('keeps jobs on the same row in different batches, and bounds a batch', async () => {
    const w = recordingWriter();
    const commit = new GroupCommit(w.write, { keys: rows, maxBatch: 2 });
    const jobs: Job[] = [
      { id: 1, row: 'a' },
      { id: 2, row: 'a' },
      { id: 3, row: 'b' },
      { id: 4, row: 'a' },
      { id: 5, row: 'c' },
    ];
    const results = jobs.map((j) => commit.submit(j));
    await w.finishNext(); // [1]
    await w.finishNext(); // 2 (a) and 3 (b); 4 shares a with 2, 5 is over the bound
    await w.finishNext(); // 4 and 5
    expect(w.batches).toEqual([[1], [2, 3], [4, 5]]);
    await expect(Promise.all(results)).resolves.toHaveLength(5);
  });

  it('fails only the batch whose write threw, and goes on', async () => {
    let calls = 0;
    const commit = new GroupCommit(
      async (jobs: readonly Job[]) => {
        calls++;
        if (jobs.some((j) => j.id === 2)) {
          throw new Error('deadlock');
        }
        return jobs.map((j) => j.id * 10);
      },
      { keys: rows, maxBatch: 1 },
    );
    const results = await Promise.allSettled(
      [1, 2, 3].map((id) => commit.submit({ id, row: `r${id}` })),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toBe(3);
    // Idle again: the next job starts a new batch.
    await expect(commit.submit({ id: 4, row: 'r4' })).resolves.toBe(40);
  });
});
