import type { RequestContext } from '@nova/common';
import type { ImageCreate } from './image';

/** Properties a snapshot never inherits (Nova's NON_INHERITABLE_IMAGE_PROPERTIES). */
const NEVER_INHERITED = [
  'cinder_encryption_key_id',
  'cinder_encryption_key_deletion_policy',
  'img_signature',
  'img_signature_hash_method',
  'img_signature_key_type',
  'img_signature_certificate_uuid',
];

/** Namespaces a snapshot never inherits (Glance's own). */
const NEVER_INHERITED_PREFIXES = ['os_glance'];

/** The server a snapshot is taken of. */
export interface SnapshotSource {
  readonly uuid: string;
  /** The server's owner. */
  readonly projectId: string;
  readonly imageRef: string | null;
  readonly rootGb: number;
  /** The image the server runs, as its request spec keeps it (null when unknown). */
  readonly image: {
    readonly min_ram: number;
    readonly min_disk: number;
    readonly properties: Readonly<Record<string, string>>;
  } | null;
}

export interface SnapshotRequest {
  readonly name: string;
  /** Nova's image_type property: snapshot (createImage, shelve) or backup. */
  readonly imageType: 'snapshot' | 'backup';
  /** The request's metadata (and a backup's backup_type): they win over inherited properties. */
  readonly extraProperties: Readonly<Record<string, string>>;
  /** `[DEFAULT] non_inheritable_image_properties`. */
  readonly nonInheritable: readonly string[];
}

/**
 * The image record of a snapshot, as Nova's compute API makes it: the
 * server's image properties (those a snapshot may inherit) with
 * `base_image_ref`, then `instance_uuid`, `user_id`, `image_type` and the
 * request's own properties on top; min_ram from the image, min_disk at least
 * the flavor's root disk. Taken by the owner's project it is private;
 * an admin's snapshot of another project's server is shared with its owner
 * (`instance_owner`). Disk and container formats come with the data.
 */
export function snapshotImage(
  ctx: Pick<RequestContext, 'userId' | 'projectId'>,
  source: SnapshotSource,
  request: SnapshotRequest,
): ImageCreate {
  const dropped = new Set([...NEVER_INHERITED, ...request.nonInheritable]);
  const inherited = Object.fromEntries(
    Object.entries(source.image?.properties ?? {}).filter(
      ([key]) => !dropped.has(key) && !NEVER_INHERITED_PREFIXES.some((p) => key.startsWith(p)),
    ),
  );
  const baseImageRef = source.image?.properties['base_image_ref'] ?? source.imageRef ?? '';
  const foreign = ctx.projectId !== source.projectId;
  return {
    name: request.name,
    visibility: foreign ? 'shared' : 'private',
    min_ram: source.image?.min_ram ?? 0,
    min_disk: Math.max(source.image?.min_disk ?? 0, source.rootGb),
    properties: {
      ...inherited,
      ...(baseImageRef !== '' ? { base_image_ref: baseImageRef } : {}),
      instance_uuid: source.uuid,
      user_id: ctx.userId ?? '',
      image_type: request.imageType,
      ...request.extraProperties,
      ...(foreign ? { instance_owner: source.projectId } : {}),
    },
    ...(foreign ? { members: [source.projectId] } : {}),
  };
}
