import type { Readable } from 'node:stream';

/** Glance's image statuses (v2). */
export type ImageStatus =
  | 'queued'
  | 'saving'
  | 'uploading'
  | 'importing'
  | 'active'
  | 'deactivated'
  | 'killed'
  | 'deleted'
  | 'pending_delete';

export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

/**
 * An image as the rest of Nova sees it, whichever backend served it: Glance's
 * core attributes, and every other attribute (architecture, hw_*, os_*,
 * instance_uuid, ...) in `properties`, values as strings. Timestamps are ISO 8601
 * UTC strings, so the image crosses RPC unchanged.
 */
export interface Image {
  readonly id: string;
  readonly name: string | null;
  /** An ImageStatus (typed loosely: Glance may add statuses). */
  readonly status: string;
  /** Bytes; null while the image has no data yet. */
  readonly size: number | null;
  /** GiB. */
  readonly min_disk: number;
  /** MiB. */
  readonly min_ram: number;
  readonly disk_format: string | null;
  readonly container_format: string | null;
  /** An ImageVisibility. */
  readonly visibility: string;
  readonly owner: string | null;
  readonly protected: boolean;
  readonly created_at: string | null;
  readonly updated_at: string | null;
  readonly properties: Readonly<Record<string, string>>;
}

/** The list filters Nova's image API accepts, backend-neutral. */
export interface ImageFilters {
  readonly name?: string;
  /** Glance status (lowercase). */
  readonly status?: string;
  /** Images needing at least this much disk (GiB) / RAM (MiB). */
  readonly minDisk?: number;
  readonly minRam?: number;
  /** Images updated at or after this moment. */
  readonly changesSince?: Date;
  /** Snapshots of this server (property instance_uuid). */
  readonly instanceUuid?: string;
  /** property image_type (snapshot, backup, ...). */
  readonly imageType?: string;
  /** property backup_type (a backup's daily, weekly, ...). */
  readonly backupType?: string;
}

export interface ImageListQuery {
  /** Page size; 0 lists nothing. */
  readonly limit: number;
  /** Id of the last image of the previous page. */
  readonly marker?: string;
  readonly filters?: ImageFilters;
}

/** A new image's record (Glance's POST /v2/images): it is `queued` until data is uploaded. */
export interface ImageCreate {
  readonly name: string;
  /** An ImageVisibility. */
  readonly visibility: string;
  readonly min_ram: number;
  readonly min_disk: number;
  readonly disk_format?: string;
  readonly container_format?: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Projects the image is shared with (a snapshot an admin takes of another project's server). */
  readonly members?: readonly string[];
}

/** An image's data, as a snapshot produces it. */
export interface ImageData {
  readonly diskFormat: string;
  readonly containerFormat: string;
  /** Bytes. */
  readonly size: number;
  /** The bytes, from the start; called again when an upload is retried. */
  readonly open: () => Readable;
}
