import { IsInt, IsNumber, Min } from 'class-validator';
import { FloatOpt, IntOpt, Section } from '../option.decorator';

/**
 * The cell router's own knobs. Nova has no equivalent: it caches cells forever and
 * never closes a cell connection, which is what these options exist to avoid.
 */
@Section('cells')
export class CellsOptions {
  @FloatOpt(
    'Seconds between re-reads of the cell list when no shared cache publishes cell changes ' +
      '(with Redis, changes arrive at once and this is a safety net at 60 s).',
  )
  @IsNumber()
  @Min(0.05)
  refresh_interval: number = 0.5;

  @IntOpt('Maximum number of cells with open connections; the least recently used idle one closes.')
  @IsInt()
  @Min(1)
  max_open_cells: number = 64;

  @IntOpt("Seconds without use after which a cell's database pool and queue connection close.")
  @IsInt()
  @Min(1)
  idle_timeout: number = 300;

  @FloatOpt('Seconds a lookup that found no instance mapping is remembered.')
  @IsNumber()
  @Min(0)
  mapping_negative_ttl: number = 2;

  @FloatOpt('Default seconds a scatter-gather waits for each cell.')
  @IsNumber()
  @Min(0.01)
  cell_timeout: number = 60;

  @FloatOpt(
    'Seconds an API listing across cells (services, hypervisors, availability zones) waits ' +
      'for each cell before reporting it down; capped by cell_timeout.',
  )
  @IsNumber()
  @Min(0.01)
  cell_list_timeout: number = 2;

  @FloatOpt('Seconds to wait when connecting to a cell database or queue.')
  @IsNumber()
  @Min(0.1)
  connect_timeout: number = 5;
}
