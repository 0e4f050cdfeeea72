import { createHmac, timingSafeEqual } from 'node:crypto';

/** What Neutron's metadata proxy sends as X-Instance-ID-Signature: HMAC-SHA256 of the id, hex. */
export function instanceIdSignature(secret: string, instanceId: string): string {
  return createHmac('sha256', secret).update(instanceId).digest('hex');
}

/** Constant-time check of a proxy's signature. */
export function validSignature(secret: string, instanceId: string, signature: string): boolean {
  const expected = Buffer.from(instanceIdSignature(secret, instanceId));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
