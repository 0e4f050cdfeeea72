import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Forbidden, type RequestContext } from '@nova/common';
import type { Image, ImageCreate, ImageData, ImageListQuery } from './image';
import type { ImageBackend, PropertyChanges } from './image-backend';
import { ImageNotAuthorized, ImageNotFound, InvalidImageCatalog } from './image-errors';
import { imageFromGlance } from './glance-image';
import { glanceOrder, pageOf, visibleTo } from './image-query';
import type { LocalImageStore, StoredImage } from './local-image-store';

/** The image served when neither Glance nor a catalog file is configured. */
export const BUILTIN_IMAGE_ID = '1193a15d-a586-4a04-b5e7-dc862c9117a6';

const BUILTIN_CATALOG: readonly Record<string, unknown>[] = [
  {
    id: BUILTIN_IMAGE_ID,
    name: 'cirros-0.6.2-x86_64-disk',
    status: 'active',
    visibility: 'public',
    size: 21430272,
    min_disk: 0,
    min_ram: 0,
    disk_format: 'qcow2',
    container_format: 'bare',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    architecture: 'x86_64',
    os_distro: 'cirros',
    os_version: '0.6.2',
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A catalog document: a list of images in Glance v2 form, or `{images: [...]}`.
 * Extra attributes are properties; a `properties` map is accepted too. Missing
 * timestamps default to `defaultTime` (the file's modification time).
 */
export function parseCatalog(text: string, source: string, defaultTime: Date): Image[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON: one parser reads both
  } catch (err) {
    throw new InvalidImageCatalog(source, (err as Error).message.split('\n')[0] ?? '');
  }
  const list = Array.isArray(doc) ? doc : (doc as { images?: unknown } | null)?.images;
  if (!Array.isArray(list)) {
    throw new InvalidImageCatalog(source, 'expected a list of images or {images: [...]}');
  }
  return catalogImages(list, source, defaultTime);
}

function catalogImages(list: unknown[], source: string, defaultTime: Date): Image[] {
  const seen = new Set<string>();
  return list.map((entry, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new InvalidImageCatalog(source, `image #${index} is not a mapping`);
    }
    const { properties, ...rest } = entry as Record<string, unknown>;
    const id = rest['id'];
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new InvalidImageCatalog(source, `image #${index} needs a UUID id`);
    }
    if (seen.has(id.toLowerCase())) {
      throw new InvalidImageCatalog(source, `image ${id} is listed twice`);
    }
    seen.add(id.toLowerCase());
    const extra =
      properties && typeof properties === 'object' && !Array.isArray(properties) ? properties : {};
    const time = defaultTime.toISOString();
    return imageFromGlance({
      created_at: time,
      updated_at: time,
      ...extra,
      ...rest,
      id: id.toLowerCase(),
    });
  });
}

/** The catalog of `[glance] local_catalog`, or the built-in one image. */
export function loadCatalog(path: string | undefined): Image[] {
  if (path === undefined) {
    return catalogImages([...BUILTIN_CATALOG], 'built-in', new Date(0));
  }
  let text: string;
  let mtime: Date;
  try {
    text = readFileSync(path, 'utf8');
    mtime = statSync(path).mtime;
  } catch (err) {
    throw new InvalidImageCatalog(path, (err as Error).message);
  }
  return parseCatalog(text, path, mtime);
}

/**
 * The embedded default image service: a fixed, read-only catalog from config,
 * with Glance's visibility, filters and paging, plus the snapshots taken here
 * (createImage, createBackup, shelve) as records in a LocalImageStore: their
 * data is read and counted but not kept. Catalog images cannot be deleted
 * (every process reads the same file); snapshot records can, by their owner.
 */
export class LocalImageCatalog implements ImageBackend {
  readonly endpoint = null;
  private readonly images: readonly Image[];

  constructor(
    images: readonly Image[],
    private readonly store: LocalImageStore | null = null,
  ) {
    this.images = [...images].sort(glanceOrder);
  }

  async list(ctx: RequestContext, query: ImageListQuery): Promise<Image[]> {
    const stored = (await this.store?.all()) ?? [];
    const visible = [
      ...this.images.filter((i) => visibleTo(ctx, i, true)),
      ...stored.filter((r) => canSee(ctx, r, true)).map((r) => r.image),
    ].sort(glanceOrder);
    return pageOf(visible, query);
  }

  async get(ctx: RequestContext, id: string): Promise<Image> {
    const image = this.images.find((i) => i.id === id.toLowerCase());
    if (image) {
      if (!visibleTo(ctx, image, false)) {
        throw new ImageNotFound(id);
      }
      return image;
    }
    const stored = await this.store?.get(id);
    if (!stored || !canSee(ctx, stored, false)) {
      throw new ImageNotFound(id);
    }
    return stored.image;
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const image = await this.get(ctx, id);
    const own = ctx.isAdmin || (image.owner !== null && image.owner === ctx.projectId);
    if (!this.store || this.images.includes(image) || !own) {
      throw new ImageNotAuthorized(id);
    }
    if (!(await this.store.remove(image.id))) {
      throw new ImageNotFound(id);
    }
  }

  async create(ctx: RequestContext, image: ImageCreate): Promise<Image> {
    if (!this.store) {
      throw new Forbidden('The local image catalog takes no new images.');
    }
    const now = new Date().toISOString();
    return this.store.put(
      {
        ...image.properties,
        id: randomUUID(),
        name: image.name,
        status: 'queued',
        visibility: image.visibility,
        owner: ctx.projectId,
        protected: false,
        size: null,
        min_ram: image.min_ram,
        min_disk: image.min_disk,
        disk_format: image.disk_format ?? null,
        container_format: image.container_format ?? null,
        created_at: now,
        updated_at: now,
      },
      image.members ?? [],
    );
  }

  /** Snapshot records by their owner (or an admin); the configured catalog is read-only. */
  async setProperties(ctx: RequestContext, id: string, changes: PropertyChanges): Promise<Image> {
    const image = await this.get(ctx, id);
    const own = ctx.isAdmin || (image.owner !== null && image.owner === ctx.projectId);
    const doc = this.store && own ? await this.store.doc(image.id) : null;
    if (!this.store || !doc) {
      throw new ImageNotAuthorized(id);
    }
    const next: Record<string, unknown> = { ...doc, ...changes.set };
    for (const key of changes.remove) {
      if (key in image.properties) {
        delete next[key];
      }
    }
    next['updated_at'] = new Date().toISOString();
    const members = (await this.store.get(image.id))?.members ?? [];
    return this.store.put(next, members);
  }

  /** Records only: the bytes are counted (size, checksum) and dropped. */
  async upload(ctx: RequestContext, id: string, data: ImageData): Promise<Image> {
    const stored = await this.get(ctx, id);
    const doc = this.store ? await this.store.doc(stored.id) : null;
    if (!this.store || !doc) {
      throw new ImageNotAuthorized(id);
    }
    const md5 = createHash('md5');
    let size = 0;
    for await (const chunk of data.open()) {
      const bytes = chunk as Buffer;
      md5.update(bytes);
      size += bytes.length;
    }
    const members = (await this.store.get(stored.id))?.members ?? [];
    return this.store.put(
      {
        ...doc,
        status: 'active',
        size,
        checksum: md5.digest('hex'),
        disk_format: data.diskFormat,
        container_format: data.containerFormat,
        updated_at: new Date().toISOString(),
      },
      members,
    );
  }
}

/** Glance's visibility, and a shared image's members see it too. */
function canSee(ctx: RequestContext, record: StoredImage, listing: boolean): boolean {
  return (
    visibleTo(ctx, record.image, listing) ||
    (ctx.projectId !== null && record.members.includes(ctx.projectId))
  );
}
