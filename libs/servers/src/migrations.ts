/** A move of an instance (resize, cold/live migration, evacuation), as its cell records it. */
export interface MigrationRecord {
  /** Cell-local (ids repeat across cells, as in Nova); uuid is unique. */
  readonly id: number;
  readonly uuid: string;
  readonly source_compute: string | null;
  readonly dest_compute: string | null;
  readonly source_node: string | null;
  readonly dest_node: string | null;
  readonly dest_host: string | null;
  readonly old_instance_type_id: number | null;
  readonly new_instance_type_id: number | null;
  readonly instance_uuid: string | null;
  readonly status: string | null;
  /** migration, resize, live-migration or evacuation. */
  readonly migration_type: string;
  readonly hidden: boolean;
  /** A resize into another cell: the record is in both cells, hidden where the server is not. */
  readonly cross_cell_move?: boolean;
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly created_at: Date;
  readonly updated_at: Date | null;
  readonly cell_uuid: string;
}

/** GET /os-migrations, validated: Nova's filters, and a page after a marker. */
export interface MigrationListQuery {
  readonly hidden?: boolean;
  /** Source or destination compute. */
  readonly host?: string;
  readonly instanceUuid?: string;
  readonly sourceCompute?: string;
  readonly status?: string;
  readonly migrationType?: string;
  readonly userId?: string;
  readonly projectId?: string;
  readonly changesSince?: Date;
  readonly changesBefore?: Date;
  readonly limit?: number;
  /** A migration uuid (2.59): the page starts after it (unknown: 400). */
  readonly marker?: string;
  /** The marker resolved to its place in the order (cells read this, not `marker`). */
  readonly after?: { readonly createdAt: Date; readonly uuid: string };
}

/** Newest first, as every cell sorts them: created_at, then uuid, descending. */
export function compareMigrations(a: MigrationRecord, b: MigrationRecord): number {
  const byTime = b.created_at.getTime() - a.created_at.getTime();
  return byTime !== 0 ? byTime : a.uuid < b.uuid ? 1 : a.uuid > b.uuid ? -1 : 0;
}
