import { ApiVersion } from '../../http/api-version';
import { pickForVersion, validateBody } from '../../http/validation';
import {
  CREATE_SERVER_BODIES,
  createServerRequest,
  type CreateServerBodyFields,
} from '../../dto/servers';
import {
  autoDiskConfig,
  checkChangeable,
  checkCreateRequest,
  checkImageForFlavor,
  checkMetadataQuota,
  checkPersonalityQuota,
  instancesThatFit,
  type ImageFacts,
  type QuotaScope,
} from './server-checks';

const IMAGE = '88966aae-e51a-4e67-9794-936097a866a2';
const PORT = 'b7e3f4a8-8a2e-4c3e-9f0c-7d1d1d0f4b55';

function failure(fn: () => unknown): { code: number; message: string } | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message };
  }
}

function request(version: string, server: Record<string, unknown>) {
  const v = ApiVersion.parse(version);
  const body = { server: { name: 'x', imageRef: IMAGE, flavorRef: '1', ...server } };
  const valid = validateBody(pickForVersion(CREATE_SERVER_BODIES, v), body);
  return createServerRequest(valid as CreateServerBodyFields, v);
}

const image: ImageFacts = {
  id: IMAGE,
  status: 'active',
  size: 21430272,
  min_ram: 0,
  min_disk: 0,
  properties: {},
};

describe('checkCreateRequest', () => {
  it('refuses what the flat network and the one security group cannot give', () => {
    expect(failure(() => checkCreateRequest(request('2.1', {})))).toBe('ok');
    expect(
      failure(() => checkCreateRequest(request('2.1', { networks: [{ port: PORT }] }))),
    ).toEqual({ code: 400, message: `Port id ${PORT} could not be found.` });
    expect(
      failure(() =>
        checkCreateRequest(
          request('2.1', { security_groups: [{ name: 'default' }, { name: 'web' }] }),
        ),
      ),
    ).toEqual({ code: 400, message: 'Security group web not found.' });
    expect(
      failure(() =>
        checkCreateRequest(request('2.90', { networks: 'none', hostname: 'h1', max_count: 2 })),
      ),
    ).toEqual({ code: 400, message: 'Unable to allocate a single hostname to multiple instances' });
  });
});

describe('checkImageForFlavor', () => {
  const tiny = { memory_mb: 512, root_gb: 1 };

  it('accepts an image that fits', () => {
    expect(checkImageForFlavor(image, tiny)).toEqual({ zeroDisk: false });
  });

  it("answers Nova's 400s", () => {
    expect(failure(() => checkImageForFlavor({ ...image, status: 'queued' }, tiny))).toEqual({
      code: 400,
      message: `Image ${IMAGE} is not active.`,
    });
    expect(failure(() => checkImageForFlavor({ ...image, min_ram: 1024 }, tiny))).toEqual({
      code: 400,
      message: "Flavor's memory is too small for requested image.",
    });
    expect(failure(() => checkImageForFlavor({ ...image, size: 2 * 1024 ** 3 }, tiny))).toEqual({
      code: 400,
      message:
        "Flavor's disk is too small for requested image. Flavor disk is 1073741824 bytes, image is 2147483648 bytes.",
    });
    expect(failure(() => checkImageForFlavor({ ...image, min_disk: 2 }, tiny))).toEqual({
      code: 400,
      message:
        "Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is 1073741824 bytes, minimum size is 2147483648 bytes.",
    });
    expect(
      failure(() =>
        checkImageForFlavor({ ...image, properties: { img_config_drive: 'sometimes' } }, tiny),
      ),
    ).toEqual({ code: 400, message: "Image's config drive option 'sometimes' is invalid" });
  });

  it('leaves zero-disk flavors to the policy', () => {
    expect(checkImageForFlavor({ ...image, min_disk: 5 }, { memory_mb: 512, root_gb: 0 })).toEqual({
      zeroDisk: true,
    });
  });
});

describe('autoDiskConfig', () => {
  it('takes the request, else the image property', () => {
    expect(autoDiskConfig(null, image)).toBe(false);
    expect(autoDiskConfig(null, { ...image, properties: { auto_disk_config: 'True' } })).toBe(true);
    expect(autoDiskConfig('MANUAL', { ...image, properties: { auto_disk_config: 'true' } })).toBe(
      false,
    );
    expect(autoDiskConfig('AUTO', image)).toBe(true);
    expect(
      failure(() =>
        autoDiskConfig('AUTO', { ...image, properties: { auto_disk_config: 'Disabled' } }),
      ),
    ).toEqual({
      code: 400,
      message: `Requested image ${IMAGE} has automatic disk resizing disabled.`,
    });
  });
});

describe('per-request quotas', () => {
  it('limits metadata items', () => {
    expect(failure(() => checkMetadataQuota(128, 128))).toBe('ok');
    expect(failure(() => checkMetadataQuota(5, -1))).toBe('ok');
    expect(failure(() => checkMetadataQuota(129, 128))).toEqual({
      code: 403,
      message: 'Maximum number of metadata items exceeds 128',
    });
  });

  it('limits personality files', () => {
    const limits = {
      injected_files: 1,
      injected_file_path_bytes: 8,
      injected_file_content_bytes: 3,
    };
    const file = { path: '/etc/a', contents: Buffer.from('abc').toString('base64') };
    expect(failure(() => checkPersonalityQuota([file], limits))).toBe('ok');
    expect(failure(() => checkPersonalityQuota([file, file], limits))).toEqual({
      code: 403,
      message: 'Personality file limit exceeded',
    });
    expect(failure(() => checkPersonalityQuota([{ ...file, path: '/etc/long' }], limits))).toEqual({
      code: 403,
      message: 'Personality file path exceeds maximum 8',
    });
    expect(
      failure(() =>
        checkPersonalityQuota(
          [{ ...file, contents: Buffer.from('abcd').toString('base64') }],
          limits,
        ),
      ),
    ).toEqual({ code: 403, message: 'Personality file content exceeds maximum 3' });
  });
});

describe('instancesThatFit', () => {
  const scope = (
    limits: Partial<QuotaScope['limits']>,
    used: Partial<QuotaScope['used']> = {},
  ) => ({
    limits: { instances: 10, cores: 20, ram: 51200, ...limits },
    used: { instances: 0, cores: 0, ram: 0, ...used },
  });
  const tiny = { vcpus: 1, memory_mb: 512 };

  it('gives max_count when it fits', () => {
    expect(instancesThatFit(tiny, 1, 5, [scope({})])).toBe(5);
    expect(instancesThatFit(tiny, 1, 50, [scope({ instances: -1, cores: -1, ram: -1 })])).toBe(50);
  });

  it('falls back to what fits, down to min_count', () => {
    expect(instancesThatFit(tiny, 2, 5, [scope({}, { instances: 7, cores: 7, ram: 3584 })])).toBe(
      3,
    );
    // The tightest scope decides (a user limit inside the project's).
    expect(
      instancesThatFit(tiny, 1, 5, [scope({}), scope({ cores: 2 }, { cores: 0, instances: 0 })]),
    ).toBe(2);
  });

  it("answers Nova's message when not even min_count fits", () => {
    expect(
      failure(() =>
        instancesThatFit(tiny, 4, 5, [scope({}, { instances: 7, cores: 7, ram: 3584 })]),
      ),
    ).toEqual({
      code: 403,
      message: 'Quota exceeded for instances: Requested 4-5, but already used 7 of 10 instances',
    });
    // Sample 56: one instance of a 4 TB flavor.
    expect(
      failure(() =>
        instancesThatFit({ vcpus: 1, memory_mb: 4096000 }, 1, 1, [
          scope({ ram: 2000000 }, { instances: 1, cores: 1, ram: 1024 }),
        ]),
      ),
    ).toEqual({
      code: 403,
      message: 'Quota exceeded for ram: Requested 4096000, but already used 1024 of 2000000 ram',
    });
    expect(
      failure(() =>
        instancesThatFit({ vcpus: 4, memory_mb: 8192 }, 2, 2, [
          scope({ cores: 4, ram: 8192 }, { cores: 0, ram: 0 }),
        ]),
      ),
    ).toEqual({
      code: 403,
      message:
        'Quota exceeded for cores, ram: Requested 8, 16384, but already used 0, 0 of 4, 8192 cores, ram',
    });
  });
});

describe('checkChangeable', () => {
  const server = { uuid: 'u1', vm_state: 'active', locked: false };

  it('allows the four steady states and refuses the rest with the action name', () => {
    for (const vm_state of ['active', 'paused', 'suspended', 'stopped']) {
      expect(failure(() => checkChangeable({ ...server, vm_state }, 'update tag', null))).toBe(
        'ok',
      );
    }
    expect(
      failure(() => checkChangeable({ ...server, vm_state: 'building' }, 'update metadata', null)),
    ).toEqual({
      code: 409,
      message: "Cannot 'update metadata' instance u1 while it is in vm_state building",
    });
  });

  it('honours the lock only when asked, and not for admins', () => {
    const locked = { ...server, locked: true };
    expect(failure(() => checkChangeable(locked, 'update tags', null))).toBe('ok');
    expect(failure(() => checkChangeable(locked, 'update metadata', { isAdmin: true }))).toBe('ok');
    expect(failure(() => checkChangeable(locked, 'update metadata', { isAdmin: false }))).toEqual({
      code: 409,
      message: 'Instance u1 is locked',
    });
  });
});
