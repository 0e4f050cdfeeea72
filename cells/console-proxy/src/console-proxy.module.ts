import { Module } from '@nestjs/common';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { CellConsoleTokens } from './cell-tokens';
import { ConsoleProxies } from './console-proxies';

/**
 * Console proxies and the token redemption behind them (the cell router: the
 * API database's cell list, then each cell's database). Needs Config and Cache
 * modules. Nothing listens until ConsoleProxies.start.
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA)],
  providers: [CellConsoleTokens, ConsoleProxies],
  exports: [ConsoleProxies],
})
export class ConsoleProxyModule {}
