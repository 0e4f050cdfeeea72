import { createHash } from 'node:crypto';
import { CELL0_UUID, type CellMapping } from '@nova/api-db';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { formatCellUrl } from './url-template';

const log = getLogger('cell-router');

/** A cell as the router sees it: its mapping with template URLs filled in. */
export interface Cell {
  readonly id: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly transportUrl: string;
  readonly databaseConnection: string;
  readonly disabled: boolean;
  /** Identity of the connection parameters: changes when either URL changes. */
  readonly connectionKey: string;
}

export function isCell0(cell: Pick<Cell, 'uuid'>): boolean {
  return cell.uuid === CELL0_UUID;
}

/** A label for messages: `name(uuid)` or the uuid. */
export function cellLabel(cell: Pick<Cell, 'uuid' | 'name'>): string {
  return cell.name ? `${cell.name}(${cell.uuid})` : cell.uuid;
}

export function toCell(mapping: CellMapping, config: NovaConfig): Cell {
  const transportUrl = fill(
    mapping,
    'transport_url',
    config.DEFAULT.transport_url,
    '[DEFAULT] transport_url',
  );
  const databaseConnection = fill(
    mapping,
    'database_connection',
    config.database.connection,
    '[database] connection',
  );
  return {
    id: mapping.id,
    uuid: mapping.uuid,
    name: mapping.name,
    transportUrl,
    databaseConnection,
    disabled: mapping.disabled,
    connectionKey: createHash('sha1')
      .update(`${transportUrl}\n${databaseConnection}`)
      .digest('hex'),
  };
}

function fill(
  mapping: CellMapping,
  field: 'transport_url' | 'database_connection',
  base: string | undefined,
  option: string,
): string {
  const template = mapping[field];
  try {
    return formatCellUrl(template, base);
  } catch (err) {
    log.warn(
      { cell: mapping.uuid, field, option, reason: (err as Error).message },
      'cell mapping URL left as stored',
    );
    return template;
  }
}
