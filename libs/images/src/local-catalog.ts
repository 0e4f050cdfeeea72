import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RequestContext } from '@nova/common';
import type { Image, ImageListQuery } from './image';
import type { ImageBackend } from './image-backend';
import { ImageNotAuthorized, ImageNotFound, InvalidImageCatalog } from './image-errors';
import { imageFromGlance } from './glance-image';
import { glanceOrder, pageOf, visibleTo } from './image-query';

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
 * with Glance's visibility, filters and paging. Every process reads the same
 * file, so deleting is refused rather than done in one process's memory.
 */
export class LocalImageCatalog implements ImageBackend {
  readonly endpoint = null;
  private readonly images: readonly Image[];

  constructor(images: readonly Image[]) {
    this.images = [...images].sort(glanceOrder);
  }

  list(ctx: RequestContext, query: ImageListQuery): Promise<Image[]> {
    const visible = this.images.filter((i) => visibleTo(ctx, i, true));
    return Promise.resolve(pageOf(visible, query));
  }

  get(ctx: RequestContext, id: string): Promise<Image> {
    const image = this.images.find((i) => i.id === id.toLowerCase());
    if (!image || !visibleTo(ctx, image, false)) {
      return Promise.reject(new ImageNotFound(id));
    }
    return Promise.resolve(image);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    await this.get(ctx, id);
    throw new ImageNotAuthorized(id);
  }
}
