import { Inject, Injectable } from '@nestjs/common';
import { CellRouter, isCell0 } from '@nova/cell-router';
import { cellDb, type ConsoleAuthRecord } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';

/**
 * Redeems console tokens in the cell databases: a token names no cell, so
 * every cell (not cell0) is asked at once; the one holding it deletes it and
 * answers. A cell that fails or is slow is left out (its tokens are refused).
 */
@Injectable()
export class CellConsoleTokens {
  constructor(
    private readonly router: CellRouter,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async redeem(token: string): Promise<ConsoleAuthRecord | null> {
    const cells = (await this.router.cells()).filter((c) => !isCell0(c));
    const { cell_list_timeout, cell_timeout } = this.config.cells;
    const results = await this.router.scatterGather(
      adminContext(),
      cells,
      async (cctx) => (await cellDb(cctx)).consoleAuthTokens.consume(token),
      { timeoutMs: Math.min(cell_list_timeout, cell_timeout) * 1000 },
    );
    for (const result of results.values()) {
      if (result.status === 'ok' && result.value) {
        return result.value;
      }
    }
    return null;
  }
}
