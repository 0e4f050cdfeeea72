import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateNested } from 'class-validator';
import { IsPresent } from '../validators';
import { bodyClass } from './body-class';
import { OneOf } from './checks';

/*
 * Console requests, with Nova's schemas: the 2.6 remote-consoles body (2.8
 * adds mks/webmks) and the legacy os-get*Console action bodies (until 2.5).
 */

const PROTOCOLS_26 = ['vnc', 'spice', 'rdp', 'serial'];
const TYPES_26 = ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial'];

function remoteConsoleBody(version: string, protocols: string[], types: string[]) {
  return bodyClass(`RemoteConsoleBody${version}`, version, [
    {
      name: 'remote_console',
      rules: () => {
        const inner = bodyClass(
          `RemoteConsole${version}`,
          version,
          [
            { name: 'protocol', rules: () => [IsPresent(), IsString(), OneOf(protocols)] },
            { name: 'type', rules: () => [IsPresent(), IsString(), OneOf(types)] },
          ],
          { holder: 'remote_console' },
        );
        return [IsPresent(), IsObject(), ValidateNested(), Type(() => inner)];
      },
    },
  ]);
}

export const RemoteConsoleBodyV26 = remoteConsoleBody('2.6', PROTOCOLS_26, TYPES_26);
export const RemoteConsoleBodyV28 = remoteConsoleBody(
  '2.8',
  [...PROTOCOLS_26, 'mks'],
  [...TYPES_26, 'webmks'],
);

export interface RemoteConsoleBody {
  readonly remote_console: { readonly protocol: string; readonly type: string };
}

/** The legacy actions, the protocol each asks for and the types its schema allows. */
export const LEGACY_CONSOLE_ACTIONS = {
  'os-getVNCConsole': { protocol: 'vnc', types: ['novnc', 'xvpvnc'] },
  'os-getSPICEConsole': { protocol: 'spice', types: ['spice-html5'] },
  'os-getSerialConsole': { protocol: 'serial', types: ['serial'] },
} as const;

export type LegacyConsoleAction = keyof typeof LEGACY_CONSOLE_ACTIONS;

/** `{"os-getVNCConsole": {"type": "novnc"}}` and the like. */
export const LEGACY_CONSOLE_BODIES: Record<LegacyConsoleAction, new () => object> =
  Object.fromEntries(
    Object.entries(LEGACY_CONSOLE_ACTIONS).map(([action, { types }]) => [
      action,
      bodyClass(`${action}Body`, '2.1', [
        {
          name: action,
          rules: () => {
            const inner = bodyClass(
              action,
              '2.1',
              [{ name: 'type', rules: () => [IsPresent(), IsString(), OneOf([...types])] }],
              { holder: action },
            );
            return [IsPresent(), IsObject(), ValidateNested(), Type(() => inner)];
          },
        },
      ]),
    ]),
  ) as Record<LegacyConsoleAction, new () => object>;
