import {
  Conflict,
  Forbidden,
  Invalid,
  ServiceUnavailable,
  type RequestContext,
} from '@nova/common';
import type { Image, ImageCreate, ImageData, ImageListQuery } from './image';
import type { ImageBackend, PropertyChanges } from './image-backend';
import { ImageNotAuthorized, ImageNotFound } from './image-errors';
import type { GlanceClient } from './glance-client';
import { imageFromGlance } from './glance-image';
import { clientSideFilters, glanceErrorMessage, glanceListParams } from './glance-protocol';
import { matchesFilters } from './image-query';

function json(doc: unknown) {
  return { contentType: 'application/json', body: () => JSON.stringify(doc) };
}

/** Glance pages fetched at most for one filtered page (a guard against a looping server). */
const MAX_ROUNDS = 100;

/** Images from Glance's v2 API, with the caller's token (Glance applies visibility). */
export class GlanceImageBackend implements ImageBackend {
  readonly endpoint: string;

  constructor(private readonly client: GlanceClient) {
    this.endpoint = client.servers[0];
  }

  /**
   * One page. Glance filters what it can; minDisk/minRam are applied here, so
   * further Glance pages are read until the page is full or Glance has no more.
   */
  async list(ctx: RequestContext, query: ImageListQuery): Promise<Image[]> {
    if (query.limit === 0) {
      return [];
    }
    const local = clientSideFilters(query.filters);
    const page: Image[] = [];
    let marker = query.marker;
    for (let round = 0; round < MAX_ROUNDS && page.length < query.limit; round++) {
      const params = new URLSearchParams({
        ...glanceListParams(query.filters),
        limit: String(query.limit),
        ...(marker !== undefined ? { marker } : {}),
      });
      const response = await this.client.request(ctx, 'GET', `/v2/images?${params.toString()}`);
      await this.check(response, undefined);
      const body = (await this.json(response)) as { images?: unknown; next?: unknown };
      if (!Array.isArray(body.images)) {
        throw this.nonsense('a list without images');
      }
      for (const raw of body.images) {
        const image = this.map(raw);
        marker = image.id;
        if (page.length < query.limit && matchesFilters(image, local)) {
          page.push(image);
        }
      }
      if (body.images.length === 0 || typeof body.next !== 'string') {
        break;
      }
    }
    return page;
  }

  async get(ctx: RequestContext, id: string): Promise<Image> {
    const response = await this.client.request(ctx, 'GET', `/v2/images/${encodeURIComponent(id)}`);
    await this.check(response, id);
    return this.map(await this.json(response));
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const response = await this.client.request(
      ctx,
      'DELETE',
      `/v2/images/${encodeURIComponent(id)}`,
    );
    await this.check(response, id);
    await response.body?.cancel();
  }

  /**
   * POST /v2/images with the core attributes and the properties (Glance keeps
   * extra attributes as properties); members of a shared image are added next,
   * and the image is deleted again when that fails (no half-made image).
   */
  async create(ctx: RequestContext, image: ImageCreate): Promise<Image> {
    const doc: Record<string, unknown> = {
      ...image.properties,
      name: image.name,
      visibility: image.visibility,
      min_ram: image.min_ram,
      min_disk: image.min_disk,
      ...(image.disk_format ? { disk_format: image.disk_format } : {}),
      ...(image.container_format ? { container_format: image.container_format } : {}),
    };
    const response = await this.client.request(ctx, 'POST', '/v2/images', json(doc));
    await this.check(response, undefined);
    const created = this.map(await this.json(response));
    try {
      for (const member of image.members ?? []) {
        const added = await this.client.request(
          ctx,
          'POST',
          `/v2/images/${encodeURIComponent(created.id)}/members`,
          json({ member }),
        );
        await this.check(added, created.id);
        await added.body?.cancel();
      }
    } catch (err) {
      await this.delete(ctx, created.id).catch(() => undefined);
      throw err;
    }
    return created;
  }

  /**
   * Glance wants the formats before the data: PATCH them (replace: a queued
   * image has them null), PUT the bytes, then read the image back (active).
   */
  async upload(ctx: RequestContext, id: string, data: ImageData): Promise<Image> {
    const path = `/v2/images/${encodeURIComponent(id)}`;
    const patched = await this.client.request(ctx, 'PATCH', path, {
      contentType: 'application/openstack-images-v2.1-json-patch',
      body: () =>
        JSON.stringify([
          { op: 'replace', path: '/disk_format', value: data.diskFormat },
          { op: 'replace', path: '/container_format', value: data.containerFormat },
        ]),
    });
    await this.check(patched, id);
    await patched.body?.cancel();
    const uploaded = await this.client.request(ctx, 'PUT', `${path}/file`, {
      contentType: 'application/octet-stream',
      body: data.open,
    });
    await this.check(uploaded, id);
    await uploaded.body?.cancel();
    return this.get(ctx, id);
  }

  /** One JSON-patch of the properties: `add` for new ones, `replace` for those it has. */
  async setProperties(ctx: RequestContext, id: string, changes: PropertyChanges): Promise<Image> {
    const current = await this.get(ctx, id);
    const ops = [
      ...Object.entries(changes.set).map(([key, value]) => ({
        op: key in current.properties ? 'replace' : 'add',
        path: `/${jsonPointer(key)}`,
        value,
      })),
      ...changes.remove
        .filter((key) => key in current.properties)
        .map((key) => ({ op: 'remove', path: `/${jsonPointer(key)}` })),
    ];
    if (ops.length === 0) {
      return current;
    }
    const response = await this.client.request(
      ctx,
      'PATCH',
      `/v2/images/${encodeURIComponent(id)}`,
      {
        contentType: 'application/openstack-images-v2.1-json-patch',
        body: () => JSON.stringify(ops),
      },
    );
    await this.check(response, id);
    return this.map(await this.json(response));
  }

  /** Glance's 4xx as Nova's errors (the image ones when an image was addressed). */
  private async check(response: Response, id: string | undefined): Promise<void> {
    if (response.ok) {
      return;
    }
    const message = glanceErrorMessage(await response.text());
    switch (response.status) {
      case 400:
        throw new Invalid(message || 'The image service rejected the request.');
      case 401:
      case 403:
        throw id !== undefined ? new ImageNotAuthorized(id) : new Forbidden(message);
      case 404:
        if (id !== undefined) {
          throw new ImageNotFound(id);
        }
        break;
      case 409:
        throw new Conflict(message);
    }
    throw this.nonsense(`HTTP ${response.status}`);
  }

  private async json(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch {
      throw this.nonsense('a body that is not JSON');
    }
  }

  private map(raw: unknown): Image {
    try {
      return imageFromGlance(raw);
    } catch (err) {
      throw this.nonsense((err as Error).message);
    }
  }

  private nonsense(what: string): ServiceUnavailable {
    return new ServiceUnavailable(`The image service at ${this.endpoint} answered ${what}.`);
  }
}

/** A property name as a JSON pointer segment (RFC 6901). */
function jsonPointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
