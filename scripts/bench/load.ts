import autocannon, { type Options, type Result } from 'autocannon';

/** One autocannon run, as a promise of its result. */
export function load(opts: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result),
    );
  });
}
