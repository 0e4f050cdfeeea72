import {
  Conflict,
  Forbidden,
  Invalid,
  ServiceUnavailable,
  type RequestContext,
} from '@nova/common';
import type { Image, ImageListQuery } from './image';
import type { ImageBackend } from './image-backend';
import { ImageNotAuthorized, ImageNotFound } from './image-errors';
import type { GlanceClient } from './glance-client';
import { imageFromGlance } from './glance-image';
import { clientSideFilters, glanceErrorMessage, glanceListParams } from './glance-protocol';
import { matchesFilters } from './image-query';

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
