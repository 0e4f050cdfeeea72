import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Image } from './image';
import { imageFromGlance } from './glance-image';

const UUID_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$/;

/** A stored record: the image in Glance v2 form, and the projects it is shared with. */
export interface StoredImage {
  readonly image: Image;
  readonly members: readonly string[];
}

/**
 * The local catalog's writable part: snapshot records (no image data), one
 * JSON file per image under `<state_path>/images/`. Every process of a
 * machine that shares the state path (nova-all, or the API, conductors and
 * computes of one host) sees the same records; writes are atomic renames.
 */
export class LocalImageStore {
  constructor(readonly dir: string) {}

  async all(): Promise<StoredImage[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw err;
    }
    const records = await Promise.all(
      names.filter((n) => UUID_FILE.test(n)).map((n) => this.read(join(this.dir, n))),
    );
    return records.filter((r): r is StoredImage => r !== null);
  }

  async get(id: string): Promise<StoredImage | null> {
    const name = `${id.toLowerCase()}.json`;
    return UUID_FILE.test(name) ? this.read(join(this.dir, name)) : null;
  }

  /** Write (create or replace) a record: to a temporary file, then renamed over the old one. */
  async put(doc: Record<string, unknown>, members: readonly string[]): Promise<Image> {
    const image = imageFromGlance(doc);
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${image.id}.json`);
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify({ doc, members }));
    await rename(temporary, file);
    return image;
  }

  /** False when there was no such record. */
  async remove(id: string): Promise<boolean> {
    const record = await this.get(id);
    if (!record) {
      return false;
    }
    await rm(join(this.dir, `${record.image.id}.json`), { force: true });
    return true;
  }

  /** The raw document of a record (to update it). */
  async doc(id: string): Promise<Record<string, unknown> | null> {
    const raw = await this.raw(join(this.dir, `${id.toLowerCase()}.json`));
    return raw?.doc ?? null;
  }

  private async read(file: string): Promise<StoredImage | null> {
    const raw = await this.raw(file);
    if (!raw) {
      return null;
    }
    return { image: imageFromGlance(raw.doc), members: raw.members };
  }

  /** A record that vanished (deleted by another process) is no record. */
  private async raw(
    file: string,
  ): Promise<{ doc: Record<string, unknown>; members: string[] } | null> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as {
        doc: Record<string, unknown>;
        members: string[];
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return null;
      }
      throw err;
    }
  }
}
