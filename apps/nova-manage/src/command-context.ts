import type { INestApplicationContext, Type } from '@nestjs/common';
import type { NovaConfig } from '@nova/config';
import type { ManageIO } from './output/manage-io';

/** What a command handler gets: output, config, and the services (Nest context opened on first use). */
export interface CommandContext {
  readonly io: ManageIO;
  readonly config: NovaConfig;
  get<T>(service: Type<T>): Promise<T>;
}

export function commandContext(
  io: ManageIO,
  config: () => NovaConfig,
  open: () => Promise<INestApplicationContext>,
): CommandContext {
  return {
    io,
    get config() {
      return config();
    },
    async get<T>(service: Type<T>): Promise<T> {
      return (await open()).get(service, { strict: false });
    },
  };
}

/** Handlers return Nova's exit code; undefined means 0. */
export type ExitCode = number | undefined;
