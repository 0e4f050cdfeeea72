import { validateBody } from '../../http/validation';
import { RemoteConsoleBodyV26, RemoteConsoleBodyV28 } from './remote-consoles.dto';

function failure(cls: new () => object, body: unknown): string {
  try {
    validateBody(cls, body);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('remote-consoles bodies', () => {
  it("takes Nova's 2.6 protocols and types; mks and webmks from 2.8", () => {
    const vnc = { remote_console: { protocol: 'vnc', type: 'novnc' } };
    expect(validateBody(RemoteConsoleBodyV26, vnc)).toMatchObject(vnc);
    const mks = { remote_console: { protocol: 'mks', type: 'webmks' } };
    expect(validateBody(RemoteConsoleBodyV28, mks)).toMatchObject(mks);
    expect(failure(RemoteConsoleBodyV26, mks)).toBe(
      "Invalid input for field/attribute protocol. Value: mks. 'mks' is not one of ['vnc', 'spice', 'rdp', 'serial']",
    );
  });

  it('wants both fields and nothing else', () => {
    expect(failure(RemoteConsoleBodyV26, { remote_console: { protocol: 'vnc' } })).toBe(
      "Invalid input for field/attribute remote_console. Value: {'protocol': 'vnc'}. 'type' is a required property",
    );
    expect(
      failure(RemoteConsoleBodyV26, {
        remote_console: { protocol: 'vnc', type: 'novnc', extra: 1 },
      }),
    ).toMatch(/Additional properties are not allowed \('extra' was unexpected\)$/);
    expect(failure(RemoteConsoleBodyV26, {})).toBe("'remote_console' is a required property");
  });
});
