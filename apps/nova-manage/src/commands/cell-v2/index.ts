import type { Command } from 'commander';
import type { Act } from '../act';
import { registerCellCommands } from './cells.command';
import { registerHostCommands } from './hosts.command';
import { registerInstanceCommands } from './instances.command';

export function registerCellV2(program: Command, act: Act): void {
  const cellV2 = program.command('cell_v2').description('Cells v2 management');
  registerCellCommands(cellV2, act);
  registerHostCommands(cellV2, act);
  registerInstanceCommands(cellV2, act);
}
