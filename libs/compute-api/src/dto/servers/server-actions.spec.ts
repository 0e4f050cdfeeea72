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

  it('is honest about the Nova actions it does not carry out', () => {
    expect(() => parseServerAction({ resize: { flavorRef: '2' } }, v('2.1'))).toThrow(
      ActionNotImplemented,
    );
    expect(failure({ trigger_crash_dump: null }, '2.17')).toEqual([
      501,
      "Action 'trigger_crash_dump' is not implemented by this compute service.",
    ]);
    expect(() => parseServerAction({ resetNetwork: null }, v('2.1'))).toThrow(ActionGone);
    expect(failure({ 'os-getRDPConsole': { type: 'rdp-html5' } })[0]).toBe(410);
  });
});
