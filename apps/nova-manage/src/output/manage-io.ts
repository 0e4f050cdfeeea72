/** Where nova-manage writes. Nova prints its own messages, errors included, to stdout. */
export interface ManageIO {
  out(text: string): void;
  err(text: string): void;
  /** Text without a line end (progress dots); without it, callers print whole lines. */
  write?(text: string): void;
  /** Where progress bars draw; they draw only when it is a terminal. */
  readonly progress: NodeJS.WritableStream & { isTTY?: boolean };
}

export function processIO(): ManageIO {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    write: (text) => process.stdout.write(text),
    progress: process.stderr,
  };
}
