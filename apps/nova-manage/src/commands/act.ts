import type { CommandContext, ExitCode } from '../command-context';

/** A command handler: (context, ...positionals, options) -> Nova's exit code. */
export type Handler = (ctx: CommandContext, ...args: never[]) => Promise<ExitCode>;

/** Wraps a handler into a commander action that records its exit code. */
export type Act = (handler: Handler) => (...args: unknown[]) => Promise<void>;

export function makeAct(ctx: CommandContext, setExit: (code: number) => void): Act {
  return (handler) =>
    async (...args: unknown[]) => {
      // commander passes (...positionals, options, command); handlers want (...positionals, options)
      const call = handler as (ctx: CommandContext, ...rest: unknown[]) => Promise<ExitCode>;
      setExit((await call(ctx, ...args.slice(0, -1))) ?? 0);
    };
}
