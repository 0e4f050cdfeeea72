import { createHash } from 'node:crypto';
import { CELL0_UUID, type CellMapping } from '@nova/api-db';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { cellReplicaUrl } from './cell-replica';
import { formatCellUrl } from './url-template';

const log = getLogger('cell-router');

/** A cell as the router sees it: its mapping with template URLs filled in. */
export interface Cell {
  readonly id: number;
  readonly uuid: string;
  readonly name: string | null;
  readonly transportUrl: string;
  readonly databaseConnection: string;
  /** Its read replica for list reads (see cellReplicaUrl), if any. */
  readonly replicaConnection?: string;
  readonly disabled: boolean;
  /** Identity of the connection parameters: changes when any URL changes. */
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
  const replicaConnection = cellReplicaUrl(
    mapping.database_connection,
    databaseConnection,
    config.database,
  );
  return {
    id: mapping.id,
    uuid: mapping.uuid,
    name: mapping.name,
    transportUrl,
    databaseConnection,
    ...(replicaConnection ? { replicaConnection } : {}),
    disabled: mapping.disabled,
    connectionKey: createHash('sha1')
      .update(`${transportUrl}\n${databaseConnection}\n${replicaConnection ?? ''}`)
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
