import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Forbidden, NotFound, type RequestContext } from '@nova/common';
import {
  ImageNotAuthorized,
  ImageNotFound,
  ImageService,
  type Image,
  type PropertyChanges,
} from '@nova/images';
import { QuotaService } from '@nova/quota';
import {
  metadataItemFromBody,
  ServerMetadataBody,
  ServerMetadataItemBody,
  type ServerMetadataBodyFields,
  type ServerMetadataItemBodyFields,
} from '../../dto/servers';
import { apiPaths } from '../../http/api-paths';
import { Ctx, Versions } from '../../http/route-meta';
import { ValidBody } from '../../http/validation';
import { checkImageMetadataQuota } from './image-metadata-quota';

/**
 * /images/{id}/metadata (2.1-2.38): an image's properties through the image
 * service, as Nova's proxy has them. No policy rule, as in Nova: the image
 * service decides who may see and change an image (403 from it). The bodies
 * are the server metadata's; an image holds at most `metadata_items` (403).
 */
@Controller(apiPaths('images/:image_id/metadata'))
@Versions('2.1', '2.38')
export class ImageMetadataController {
  constructor(
    private readonly images: ImageService,
    private readonly quota: QuotaService,
  ) {}

  @Get()
  async index(@Ctx() ctx: RequestContext, @Param('image_id') id: string) {
    return { metadata: (await this.image(ctx, id)).properties };
  }

  /** Merge into the properties. */
  @Post()
  @HttpCode(200)
  async create(
    @Ctx() ctx: RequestContext,
    @Param('image_id') id: string,
    @ValidBody(ServerMetadataBody) body: ServerMetadataBodyFields,
  ) {
    const image = await this.image(ctx, id);
    const merged = { ...image.properties, ...body.metadata };
    await checkImageMetadataQuota(this.quota, ctx, Object.keys(merged).length);
    const updated = await this.change(ctx, id, { set: body.metadata, remove: [] });
    return { metadata: updated.properties };
  }

  /** Replace the properties. */
  @Put()
  async updateAll(
    @Ctx() ctx: RequestContext,
    @Param('image_id') id: string,
    @ValidBody(ServerMetadataBody) body: ServerMetadataBodyFields,
  ) {
    const image = await this.image(ctx, id);
    await checkImageMetadataQuota(this.quota, ctx, Object.keys(body.metadata).length);
    const remove = Object.keys(image.properties).filter((k) => !(k in body.metadata));
    await this.change(ctx, id, { set: body.metadata, remove });
    return { metadata: body.metadata };
  }

  @Get(':key')
  async show(@Ctx() ctx: RequestContext, @Param('image_id') id: string, @Param('key') key: string) {
    const properties = (await this.image(ctx, id)).properties;
    if (!Object.hasOwn(properties, key)) {
      throw new NotFound('The resource could not be found.');
    }
    return { meta: { [key]: properties[key] } };
  }

  @Put(':key')
  async update(
    @Ctx() ctx: RequestContext,
    @Param('image_id') id: string,
    @Param('key') key: string,
    @ValidBody(ServerMetadataItemBody) body: ServerMetadataItemBodyFields,
  ) {
    const [itemKey, value] = metadataItemFromBody(body, key);
    const image = await this.image(ctx, id);
    const count = Object.keys({ ...image.properties, [itemKey]: value }).length;
    await checkImageMetadataQuota(this.quota, ctx, count);
    await this.change(ctx, id, { set: { [itemKey]: value }, remove: [] });
    return { meta: { [itemKey]: value } };
  }

  @Delete(':key')
  @HttpCode(204)
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('image_id') id: string,
    @Param('key') key: string,
  ): Promise<void> {
    const image = await this.image(ctx, id);
    if (!Object.hasOwn(image.properties, key)) {
      throw new NotFound('Invalid metadata key');
    }
    await this.change(ctx, id, { set: {}, remove: [key] });
  }

  private async image(ctx: RequestContext, id: string): Promise<Image> {
    try {
      return await this.images.get(ctx, id);
    } catch (err) {
      throw err instanceof ImageNotFound ? new NotFound('Image not found.') : err;
    }
  }

  private async change(ctx: RequestContext, id: string, changes: PropertyChanges) {
    try {
      return await this.images.setProperties(ctx, id, changes);
    } catch (err) {
      if (err instanceof ImageNotFound) {
        throw new NotFound('Image not found.');
      }
      if (err instanceof ImageNotAuthorized) {
        throw new Forbidden(err.message);
      }
      throw err;
    }
  }
}
