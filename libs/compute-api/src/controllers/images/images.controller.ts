import { Controller, Delete, Get, HttpCode, Inject, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Forbidden, NotFound, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { ImageNotAuthorized, ImageNotFound, ImageService, type Image } from '@nova/images';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink, resourceLinks, type Link } from '../../http/links';
import { queryOf } from '../../http/query';
import { Ctx, ReqVersion, Versions } from '../../http/route-meta';
import { imageDetail, imageSummary } from '../../views/image.view';
import { imageListQuery } from './image-list-query';

/**
 * /images: Nova's proxy to the image service, for microversions up to 2.35 (404
 * from 2.36, as in Nova). No policy rule: any authenticated user, with the image
 * service deciding what they see.
 */
@Controller(apiPaths('images'))
@Versions('2.1', '2.35')
export class ImagesController {
  constructor(
    private readonly images: ImageService,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, false);
  }

  @Get('detail')
  detail(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, true);
  }

  @Get(':image_id')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('image_id') id: string,
  ) {
    const image = await notFoundAsNova(this.images.get(ctx, id));
    return { image: imageDetail(image, v, this.viewContext(req, image)) };
  }

  @Delete(':image_id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('image_id') id: string): Promise<void> {
    try {
      await notFoundAsNova(this.images.delete(ctx, id));
    } catch (err) {
      if (err instanceof ImageNotAuthorized) {
        throw new Forbidden('You are not allowed to delete the image.');
      }
      throw err;
    }
  }

  private async list(ctx: RequestContext, v: ApiVersion, req: FastifyRequest, detailed: boolean) {
    const query = imageListQuery(queryOf(req), this.config.api.max_limit);
    const images = await this.images.list(ctx, query);
    const render = detailed ? imageDetail : imageSummary;
    const body: Record<string, unknown> = {
      images: images.map((i) => render(i, v, this.viewContext(req, i))),
    };
    const last = images[images.length - 1];
    if (last && images.length === query.limit) {
      body['images_links'] = [nextLink(req, this.config.api.compute_link_prefix, last.id)];
    }
    return body;
  }

  private viewContext(req: FastifyRequest, image: Image) {
    const prefix = this.config.api.compute_link_prefix;
    const links = resourceLinks(req, prefix, 'images', image.id);
    const glance = this.images.endpoint;
    // Glance's own URL for the image; with the local catalog there is none but ours.
    const alternate: Link = {
      rel: 'alternate',
      type: 'application/vnd.openstack.image',
      href: glance ? `${glance}/images/${image.id}` : (links[1]?.href ?? ''),
    };
    return {
      links: [...links, alternate],
      serverLinks: (serverId: string) => resourceLinks(req, prefix, 'servers', serverId),
    };
  }
}

/** Nova answers "Image not found." however the image service put it. */
async function notFoundAsNova<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ImageNotFound) {
      throw new NotFound('Image not found.');
    }
    throw err;
  }
}
