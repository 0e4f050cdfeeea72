import { ApiVersion } from '../../http/api-version';
import { ActionGone, ActionNotImplemented, parseServerAction } from './server-actions';

const v = (text: string) => ApiVersion.parse(text);

function failure(body: unknown, version = '2.1'): [number, string] {
  try {
    parseServerAction(body, v(version));
  } catch (e) {
    return [(e as { code: number }).code, (e as Error).message];
  }
  throw new Error('expected a failure');
}

describe('parseServerAction', () => {
  it('reads the samples 48, 49 and 51', () => {
    expect(parseServerAction({ reboot: { type: 'SOFT' } }, v('2.1'))).toEqual({
      action: 'reboot',
      type: 'SOFT',
    });
    expect(parseServerAction({ 'os-stop': null }, v('2.1'))).toEqual({ action: 'os-stop' });
    expect(parseServerAction({ 'os-start': null }, v('2.1'))).toEqual({ action: 'os-start' });
  });

  it('reads reboot types in any of Nova spellings', () => {
    expect(parseServerAction({ reboot: { type: 'hard' } }, v('2.1'))).toEqual({
      action: 'reboot',
      type: 'HARD',
    });
    expect(failure({ reboot: { type: 'FAST' } })).toEqual([
      400,
      "Invalid input for field/attribute type. Value: FAST. 'FAST' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']",
    ]);
    expect(failure({ reboot: {} })).toEqual([
      400,
      "Invalid input for field/attribute reboot. Value: {}. 'type' is a required property",
    ]);
    expect(failure({ reboot: null })).toEqual([
      400,
      "Invalid input for field/attribute reboot. Value: None. None is not of type 'object'",
    ]);
    expect(failure({ reboot: { type: 'SOFT', force: true } })[1]).toMatch(
      /'force' was unexpected\)$/,
    );
  });

  it('ignores the bodies of the argument-less actions', () => {
    for (const action of [
      'os-stop',
      'os-start',
      'pause',
      'unpause',
      'suspend',
      'resume',
      'unlock',
    ]) {
      expect(parseServerAction({ [action]: { anything: 1 } }, v('2.1'))).toEqual({ action });
    }
  });

  it('reads lock reasons from 2.73', () => {
    expect(parseServerAction({ lock: { locked_reason: 'x' } }, v('2.72'))).toEqual({
      action: 'lock',
      reason: null,
    });
    expect(parseServerAction({ lock: null }, v('2.73'))).toEqual({ action: 'lock', reason: null });
    expect(parseServerAction({ lock: {} }, v('2.73'))).toEqual({ action: 'lock', reason: null });
    expect(parseServerAction({ lock: { locked_reason: 'maint' } }, v('2.73'))).toEqual({
      action: 'lock',
      reason: 'maint',
    });
    expect(failure({ lock: { locked_reason: 'r'.repeat(256) } }, '2.73')[1]).toMatch(
      /is too long$/,
    );
    expect(failure({ lock: { reason: 'x' } }, '2.73')).toEqual([
      400,
      "Invalid input for field/attribute lock. Value: {'reason': 'x'}. Additional properties are not allowed ('reason' was unexpected)",
    ]);
    expect(failure({ lock: 'x' }, '2.73')).toEqual([
      400,
      "Invalid input for field/attribute lock. Value: x. 'x' is not of type 'object', 'null'",
    ]);
  });

  it('reads console output lengths', () => {
    const length = (body: unknown) =>
      (parseServerAction({ 'os-getConsoleOutput': body }, v('2.1')) as { length: number | null })
        .length;
    expect(length({})).toBeNull();
    expect(length({ length: null })).toBeNull();
    expect(length({ length: -1 })).toBeNull();
    expect(length({ length: 50 })).toBe(50);
    expect(length({ length: '50' })).toBe(50);
    expect(failure({ 'os-getConsoleOutput': { length: 'abc' } })).toEqual([
      400,
      "Invalid input for field/attribute length. Value: abc. 'abc' does not match '^-?[0-9]+$'",
    ]);
    expect(failure({ 'os-getConsoleOutput': { length: -2 } })).toEqual([
      400,
      'Invalid input for field/attribute length. Value: -2. -2 is less than the minimum of -1',
    ]);
    expect(failure({ 'os-getConsoleOutput': { length: 1.5 } })).toEqual([
      400,
      "Invalid input for field/attribute length. Value: 1.5. 1.5 is not of type 'integer', 'string', 'null'",
    ]);
    expect(failure({ 'os-getConsoleOutput': null })).toEqual([
      400,
      "Invalid input for field/attribute os-getConsoleOutput. Value: None. None is not of type 'object'",
    ]);
  });

  it('dispatches like Nova: one key, a known action, within its microversions', () => {
    expect(failure({})).toEqual([400, 'Malformed request body']);
    expect(failure({ 'os-stop': null, 'os-start': null })).toEqual([400, 'Malformed request body']);
    expect(failure(undefined)).toEqual([400, 'Malformed request body']);
    expect(failure({ fly: null })).toEqual([400, 'There is no such action: fly']);
    expect(failure(['os-stop'])).toEqual([404, 'The resource could not be found.']);
    expect(failure(5)).toEqual([404, 'The resource could not be found.']);
    expect(failure({ trigger_crash_dump: null }, '2.16')[0]).toBe(404);
    expect(failure({ addFloatingIp: { address: '1.2.3.4' } }, '2.44')[0]).toBe(404);
  });

  it('reads rescue, resetState, changePassword and the security group actions', () => {
    const image = '70a599e0-31e7-49b7-b260-868f441e862b';
    expect(parseServerAction({ rescue: null }, v('2.1'))).toEqual({
      action: 'rescue',
      adminPass: null,
      rescueImageRef: null,
    });
    expect(
      parseServerAction({ rescue: { adminPass: 'pw', rescue_image_ref: image } }, v('2.1')),
    ).toEqual({ action: 'rescue', adminPass: 'pw', rescueImageRef: image });
    expect(failure({ rescue: { rescue_image_ref: 'nope' } })[1]).toMatch(/is not a 'uuid'/);
    expect(parseServerAction({ 'os-resetState': { state: 'error' } }, v('2.1'))).toEqual({
      action: 'os-resetState',
      state: 'error',
    });
    expect(failure({ 'os-resetState': { state: 'deleted' } })[0]).toBe(400);
    expect(failure({ 'os-resetState': {} })[1]).toMatch(/'state' is a required property/);
    expect(parseServerAction({ changePassword: { adminPass: 's3cret' } }, v('2.1'))).toEqual({
      action: 'changePassword',
      adminPass: 's3cret',
    });
    expect(failure({ changePassword: { adminPass: 5 } })[0]).toBe(400);
    expect(parseServerAction({ addSecurityGroup: { name: ' web ' } }, v('2.1'))).toEqual({
      action: 'addSecurityGroup',
      name: 'web',
    });
    expect(failure({ removeSecurityGroup: { name: '  ' } })).toEqual([
      400,
      'Security group name cannot be empty',
    ]);
    expect(parseServerAction({ trigger_crash_dump: null }, v('2.17'))).toEqual({
      action: 'trigger_crash_dump',
    });
  });

  it('reads rebuild per microversion', () => {
    const image = '70a599e0-31e7-49b7-b260-868f441e862b';
    const rebuild = (body: Record<string, unknown>, version = '2.1') =>
      parseServerAction({ rebuild: { imageRef: image, ...body } }, v(version));
    expect(rebuild({ name: 'n', metadata: { a: '1' }, preserve_ephemeral: 'true' })).toEqual({
      action: 'rebuild',
      request: {
        imageId: image,
        name: 'n',
        metadata: { a: '1' },
        adminPass: null,
        preserveEphemeral: true,
        personality: [],
      },
    });
    expect(failure({ rebuild: { name: 'n' } })[1]).toMatch(/'imageRef' is a required property/);
    expect(failure({ rebuild: { imageRef: image, key_name: 'k' } }, '2.53')[1]).toMatch(
      /'key_name' was unexpected/,
    );
    expect(rebuild({ key_name: null }, '2.54')).toMatchObject({ request: { keyName: null } });
    expect(rebuild({ user_data: null }, '2.57')).toMatchObject({ request: { userData: null } });
    expect(failure({ rebuild: { imageRef: image, personality: [] } }, '2.57')[0]).toBe(400);
    expect(rebuild({ description: null }, '2.19')).toMatchObject({
      request: { description: null },
    });
    expect(failure({ rebuild: { imageRef: image, accessIPv4: 'x' } })[0]).toBe(400);
  });

  it('parses the floating IP actions until 2.43', () => {
    expect(
      parseServerAction(
        { addFloatingIp: { address: '203.0.113.5', fixed_address: '10.0.0.3' } },
        v('2.43'),
      ),
    ).toEqual({ action: 'addFloatingIp', address: '203.0.113.5', fixedAddress: '10.0.0.3' });
    expect(parseServerAction({ removeFloatingIp: { address: '203.0.113.5' } }, v('2.1'))).toEqual({
      action: 'removeFloatingIp',
      address: '203.0.113.5',
    });
    expect(failure({ addFloatingIp: { address: 'nope' } })[0]).toBe(400);
    expect(failure({ addFloatingIp: {} })[0]).toBe(400);
    expect(failure({ removeFloatingIp: { address: '203.0.113.5', x: 1 } })[0]).toBe(400);
  });

  it('is honest about the Nova actions it does not carry out', () => {
    expect(() => parseServerAction({ addFixedIp: { networkId: 'n' } }, v('2.1'))).toThrow(
      ActionNotImplemented,
    );
    expect(failure({ removeFixedIp: { address: '10.0.0.1' } }, '2.17')).toEqual([
      501,
      "Action 'removeFixedIp' is not implemented by this compute service.",
    ]);
    expect(() => parseServerAction({ resetNetwork: null }, v('2.1'))).toThrow(ActionGone);
    expect(failure({ 'os-getRDPConsole': { type: 'rdp-html5' } })[0]).toBe(410);
  });

  it('reads createImage: a name, optional metadata', () => {
    expect(
      parseServerAction({ createImage: { name: 'snap', metadata: { k: 'v' } } }, v('2.1')),
    ).toEqual({ action: 'createImage', name: 'snap', metadata: { k: 'v' } });
    expect(parseServerAction({ createImage: { name: 'snap' } }, v('2.45'))).toEqual({
      action: 'createImage',
      name: 'snap',
      metadata: {},
    });
    expect(failure({ createImage: {} })).toEqual([
      400,
      "Invalid input for field/attribute createImage. Value: {}. 'name' is a required property",
    ]);
    expect(failure({ createImage: { name: ' padded ' } })[0]).toBe(400);
    expect(failure({ createImage: { name: 'x', metadata: { k: 1 } } })[0]).toBe(400);
    expect(failure({ createImage: { name: 'x', extra: 1 } })[1]).toMatch(/'extra' was unexpected/);
  });

  it('reads createBackup: name, backup_type and a non-negative rotation', () => {
    expect(
      parseServerAction(
        { createBackup: { name: 'b', backup_type: 'daily', rotation: '2' } },
        v('2.1'),
      ),
    ).toEqual({
      action: 'createBackup',
      name: 'b',
      backupType: 'daily',
      rotation: 2,
      metadata: {},
    });
    expect(failure({ createBackup: { name: 'b', backup_type: 'daily' } })[1]).toMatch(
      /'rotation' is a required property/,
    );
    expect(failure({ createBackup: { name: 'b', backup_type: 'daily', rotation: -1 } })).toEqual([
      400,
      'Invalid input for field/attribute rotation. Value: -1. -1 is less than the minimum of 0',
    ]);
    expect(failure({ createBackup: { name: 'b', backup_type: 'daily', rotation: 'x' } })[0]).toBe(
      400,
    );
    expect(failure({ createBackup: { name: 'b', backup_type: 1, rotation: 0 } })[0]).toBe(400);
  });

  it('reads shelve, shelveOffload and unshelve per microversion', () => {
    expect(parseServerAction({ shelve: null }, v('2.1'))).toEqual({ action: 'shelve' });
    expect(parseServerAction({ shelveOffload: null }, v('2.1'))).toEqual({
      action: 'shelveOffload',
    });
    // Before 2.77 the body is not looked at.
    expect(parseServerAction({ unshelve: { availability_zone: 'az1' } }, v('2.76'))).toEqual({
      action: 'unshelve',
    });
    expect(parseServerAction({ unshelve: null }, v('2.77'))).toEqual({ action: 'unshelve' });
    expect(parseServerAction({ unshelve: { availability_zone: 'az1' } }, v('2.77'))).toEqual({
      action: 'unshelve',
      availabilityZone: 'az1',
    });
    expect(failure({ unshelve: {} }, '2.77')[1]).toMatch(/'availability_zone' is a required/);
    expect(failure({ unshelve: { availability_zone: null } }, '2.77')[0]).toBe(400);
    expect(failure({ unshelve: { host: 'h1' } }, '2.90')[1]).toMatch(/'host' was unexpected/);
    expect(parseServerAction({ unshelve: { availability_zone: null } }, v('2.91'))).toEqual({
      action: 'unshelve',
      availabilityZone: null,
    });
    expect(
      parseServerAction({ unshelve: { host: 'h1', availability_zone: 'az1' } }, v('2.91')),
    ).toEqual({ action: 'unshelve', host: 'h1', availabilityZone: 'az1' });
    expect(parseServerAction({ unshelve: {} }, v('2.91'))).toEqual({ action: 'unshelve' });
    expect(failure({ unshelve: { host: 1 } }, '2.91')[0]).toBe(400);
  });

  it('reads the legacy console actions until 2.5, with their schemas', () => {
    expect(parseServerAction({ 'os-getVNCConsole': { type: 'novnc' } }, v('2.5'))).toEqual({
      action: 'os-getVNCConsole',
      type: 'novnc',
    });
    expect(parseServerAction({ 'os-getSerialConsole': { type: 'serial' } }, v('2.1'))).toEqual({
      action: 'os-getSerialConsole',
      type: 'serial',
    });
    expect(failure({ 'os-getVNCConsole': { type: 'novnc' } }, '2.6')[0]).toBe(404);
    expect(failure({ 'os-getSPICEConsole': { type: 'novnc' } })).toEqual([
      400,
      "Invalid input for field/attribute type. Value: novnc. 'novnc' is not one of ['spice-html5']",
    ]);
    expect(failure({ 'os-getVNCConsole': {} })).toEqual([
      400,
      "Invalid input for field/attribute os-getVNCConsole. Value: {}. 'type' is a required property",
    ]);
  });
});
