import { Forbidden, type RequestContext } from '@nova/common';
import type { QuotaService } from '@nova/quota';

/**
 * Nova's check_img_metadata_properties_quota (until 2.38): an image may carry
 * at most the caller's `metadata_items` properties (403 otherwise).
 */
export async function checkImageMetadataQuota(
  quota: QuotaService,
  ctx: RequestContext,
  count: number,
): Promise<void> {
  if (count === 0 || !ctx.projectId) {
    return;
  }
  const limits = await quota.userLimits(ctx.projectId, ctx.userId ?? '');
  if (limits.metadata_items >= 0 && count > limits.metadata_items) {
    throw new Forbidden('Image metadata limit exceeded');
  }
}
