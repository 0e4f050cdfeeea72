import { describeError } from '@nova/common';
import { getLogger } from '@nova/logging';
import {
  isRoot,
  lookupMetadata,
  rootListing,
  type GuestInstance,
  type MetadataOptions,
} from '@nova/metadata';
import { validSignature } from './proxy-signature';

const log = getLogger('metadata');

/** Nova's limit on what a guest may post as its password. */
export const MAX_PASSWORD_BYTES = 256;

/** An instance as the metadata service found it: its tree's data, and the password it posted. */
export interface FoundGuest {
  readonly guest: GuestInstance;
  /** The encrypted password the guest posted ('' when none). */
  readonly password: string;
}

/** Where guests are found (the API and cell databases, behind a cache). */
export interface GuestSource {
  byAddress(address: string): Promise<FoundGuest | null>;
  byInstanceId(instanceId: string): Promise<FoundGuest | null>;
  /** Keep the posted password unless one is kept already. */
  storePassword(instanceId: string, password: string): Promise<'stored' | 'exists' | 'gone'>;
}

export interface MetadataSettings {
  /** `[api] use_forwarded_for`. */
  readonly useForwardedFor: boolean;
  /** `[neutron] service_metadata_proxy`. */
  readonly serviceMetadataProxy: boolean;
  /** `[neutron] metadata_proxy_shared_secret`. */
  readonly sharedSecret: string;
  readonly options: MetadataOptions;
}

export interface MetadataRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The socket's peer address. */
  readonly remoteAddress: string | undefined;
  readonly body?: Buffer;
}

export interface MetadataResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
}

const TEXT = 'text/plain; charset=UTF-8';

const REASONS: Readonly<Record<number, [string, string]>> = {
  400: [
    'Bad Request',
    'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  ],
  403: ['Forbidden', 'Access was denied to this resource.'],
  404: ['Not Found', 'The resource could not be found.'],
  409: ['Conflict', 'There was a conflict when trying to complete your request.'],
  500: ['Internal Server Error', 'An unknown error has occurred. Please try your request again.'],
};

/** An error page as Nova's (webob's) plain-text one. */
export function errorResponse(status: number, explanation?: string): MetadataResponse {
  const [title, text] = REASONS[status] ?? ['Error', ''];
  return {
    status,
    contentType: TEXT,
    body: `${status} ${title}\n\n${explanation ?? text}\n\n   `,
  };
}

/** A single header's value; several of the same name (or a list) are `multiple`. */
function header(
  req: MetadataRequest,
  name: string,
): { value: string | undefined; multiple: boolean } {
  const raw = req.headers[name];
  if (Array.isArray(raw)) {
    return { value: raw[0], multiple: raw.length > 1 };
  }
  return { value: raw, multiple: raw !== undefined && raw.includes(',') };
}

/** An IPv4 peer seen through an IPv6 socket (::ffff:10.0.0.5) is 10.0.0.5. */
function plainAddress(address: string | undefined): string | undefined {
  const trimmed = address?.trim();
  return trimmed?.toLowerCase().startsWith('::ffff:') && trimmed.includes('.')
    ? trimmed.slice(7)
    : trimmed;
}

/**
 * Nova's metadata request handler: `/` lists the EC2 versions; anything else
 * needs the guest, found by the requester's address (X-Forwarded-For with
 * `[api] use_forwarded_for`) or, with `[neutron] service_metadata_proxy`, by
 * the proxy's signed X-Instance-ID; then the path is looked up in its trees.
 */
export class MetadataHandler {
  constructor(
    private readonly source: GuestSource,
    private readonly settings: MetadataSettings,
  ) {}

  async handle(req: MetadataRequest): Promise<MetadataResponse> {
    if (isRoot(req.path)) {
      return { status: 200, contentType: TEXT, body: rootListing() };
    }
    let found: { guest: FoundGuest | null; address: string | null };
    try {
      const identified = this.settings.serviceMetadataProxy
        ? await this.byProxyHeaders(req)
        : await this.byRemoteAddress(req);
      if ('status' in identified) {
        return identified;
      }
      found = identified;
    } catch (err) {
      log.error({ err: describeError(err), path: req.path }, 'failed to get metadata');
      return errorResponse(500);
    }
    if (!found.guest) {
      return errorResponse(404);
    }
    const answer = lookupMetadata(
      found.guest.guest,
      req.path,
      this.settings.options,
      found.address,
    );
    if (!answer) {
      return errorResponse(404);
    }
    if (answer.kind === 'password') {
      return this.password(req, found.guest).catch((err: unknown) => {
        log.error({ err: describeError(err) }, 'failed to store the password');
        return errorResponse(500);
      });
    }
    const type = answer.contentType === 'application/json' ? answer.contentType : TEXT;
    return { status: 200, contentType: type, body: answer.body };
  }

  private async byRemoteAddress(
    req: MetadataRequest,
  ): Promise<{ guest: FoundGuest | null; address: string | null }> {
    if (header(req, 'x-instance-id').value !== undefined) {
      log.warn(
        'X-Instance-ID present in request headers. The service_metadata_proxy option must be enabled to process this header.',
      );
    }
    const forwarded = this.settings.useForwardedFor ? req.headers['x-forwarded-for'] : undefined;
    // The client is the first of a proxy chain.
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0];
    const address = plainAddress(first || req.remoteAddress);
    const guest = address ? await this.source.byAddress(address) : null;
    if (!guest) {
      log.error({ address }, 'Failed to get metadata for ip');
    }
    return { guest, address: address ?? null };
  }

  private async byProxyHeaders(
    req: MetadataRequest,
  ): Promise<{ guest: FoundGuest | null; address: string | null } | MetadataResponse> {
    const id = header(req, 'x-instance-id');
    const tenant = header(req, 'x-tenant-id');
    const signature = header(req, 'x-instance-id-signature').value ?? '';
    const address = plainAddress(header(req, 'x-forwarded-for').value?.split(',')[0]) ?? null;
    if (id.value === undefined) {
      return errorResponse(400, 'X-Instance-ID header is missing from request.');
    }
    if (tenant.value === undefined) {
      return errorResponse(400, 'X-Tenant-ID header is missing from request.');
    }
    if (id.multiple) {
      return errorResponse(400, 'Multiple X-Instance-ID headers found within request.');
    }
    if (tenant.multiple) {
      return errorResponse(400, 'Multiple X-Tenant-ID headers found within request.');
    }
    if (!validSignature(this.settings.sharedSecret, id.value, signature)) {
      log.warn(
        { instance_id: id.value, remote_address: address },
        'X-Instance-ID-Signature does not match the expected value',
      );
      return errorResponse(403, 'Invalid proxy request signature.');
    }
    let guest = await this.source.byInstanceId(id.value);
    if (!guest) {
      log.error({ instance_id: id.value }, 'Failed to get metadata for instance id');
    } else if (guest.guest.projectId !== tenant.value) {
      log.warn(
        { tenant_id: tenant.value, instance_id: id.value },
        'Tenant_id does not match tenant_id of instance',
      );
      guest = null; // as unknown: 404
    }
    return { guest, address };
  }

  /** GET: what the guest posted; POST: the guest posts it, once (Nova's password handler). */
  private async password(req: MetadataRequest, found: FoundGuest): Promise<MetadataResponse> {
    const method = req.method.toUpperCase();
    if (method === 'GET' || method === 'HEAD') {
      return { status: 200, contentType: TEXT, body: found.password };
    }
    if (method !== 'POST') {
      return errorResponse(400);
    }
    if (found.password) {
      return errorResponse(409);
    }
    const body = req.body ?? Buffer.alloc(0);
    if (body.length > MAX_PASSWORD_BYTES) {
      return errorResponse(400, 'Request is too large.');
    }
    const stored = await this.source.storePassword(found.guest.uuid, body.toString('utf8'));
    if (stored === 'exists') {
      return errorResponse(409);
    }
    if (stored === 'gone') {
      return errorResponse(404);
    }
    return { status: 200, contentType: TEXT, body: '' };
  }
}
