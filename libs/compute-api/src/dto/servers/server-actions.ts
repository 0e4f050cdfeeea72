import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { Invalid, NotFound, NovaError } from '@nova/common';
import type { ApiVersion } from '../../http/api-version';
import { validateBody } from '../../http/validation';
import { IsPresent, NotNullOptional } from '../validators';
import { bodyClass } from './body-class';
import { HasType, MaxLen, MinLen, OneOf, Pattern } from './checks';

/** A POST /servers/{id}/action we carry out, parsed. */
export type ServerAction =
  | { readonly action: 'reboot'; readonly type: 'SOFT' | 'HARD' }
  | { readonly action: 'os-stop' }
  | { readonly action: 'os-start' }
  | { readonly action: 'pause' }
  | { readonly action: 'unpause' }
  | { readonly action: 'suspend' }
  | { readonly action: 'resume' }
  /** reason: 2.73+ `locked_reason` (null when not given). */
  | { readonly action: 'lock'; readonly reason: string | null }
  | { readonly action: 'unlock' }
  /** length: lines from the end; null = all (absent, null or -1). */
  | { readonly action: 'os-getConsoleOutput'; readonly length: number | null };

export type ServerActionName = ServerAction['action'];

/** An action Nova has that this service does not carry out (501, not a pretend 202). */
export class ActionNotImplemented extends NovaError {
  readonly code = 501;
}

/** An action Nova removed for good (410, as Nova). */
export class ActionGone extends NovaError {
  readonly code = 410;
}

/** Nova's other actions and the microversions they exist in ('gone': removed). */
const OTHER_NOVA_ACTIONS: Readonly<Record<string, { min?: string; max?: string } | 'gone'>> = {
  resize: {},
  confirmResize: {},
  revertResize: {},
  rebuild: {},
  createImage: {},
  createBackup: {},
  trigger_crash_dump: { min: '2.17' },
  rescue: {},
  unrescue: {},
  shelve: {},
  shelveOffload: {},
  unshelve: {},
  migrate: {},
  'os-migrateLive': {},
  evacuate: {},
  forceDelete: {},
  restore: {},
  'os-resetState': {},
  injectNetworkInfo: {},
  changePassword: {},
  addSecurityGroup: {},
  removeSecurityGroup: {},
  addFloatingIp: { max: '2.43' },
  removeFloatingIp: { max: '2.43' },
  addFixedIp: { max: '2.43' },
  removeFixedIp: { max: '2.43' },
  'os-getVNCConsole': { max: '2.5' },
  'os-getSPICEConsole': { max: '2.5' },
  'os-getSerialConsole': { max: '2.5' },
  resetNetwork: 'gone',
  'os-getRDPConsole': 'gone',
};

const REBOOT_TYPES = ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'];

const RebootBody = bodyClass('RebootBody', '2.1', [
  {
    name: 'reboot',
    rules: () => {
      const inner = bodyClass(
        'Reboot',
        '2.1',
        [{ name: 'type', rules: () => [IsPresent(), IsString(), OneOf(REBOOT_TYPES)] }],
        { holder: 'reboot' },
      );
      return [IsPresent(), IsObject(), ValidateNested(), Type(() => inner)];
    },
  },
]);

/** length: an integer (or its digits) >= -1, or null. */
function ConsoleLength(): PropertyDecorator {
  return ValidateBy({
    name: 'minimum',
    validator: {
      validate: (v: unknown) =>
        !(typeof v === 'number' || (typeof v === 'string' && /^-?[0-9]+$/.test(v))) ||
        Number(v) >= -1,
      defaultMessage: () => 'value is less than the minimum of -1',
    },
  });
}

const ConsoleOutputBody = bodyClass('ConsoleOutputBody', '2.1', [
  {
    name: 'os-getConsoleOutput',
    rules: () => {
      const inner = bodyClass(
        'ConsoleOutput',
        '2.1',
        [
          {
            name: 'length',
            rules: () => [
              NotNullOptional(),
              HasType(['integer', 'string', 'null']),
              Pattern('^-?[0-9]+$'),
              ConsoleLength(),
            ],
          },
        ],
        { holder: 'os-getConsoleOutput' },
      );
      return [IsPresent(), IsObject(), ValidateNested(), Type(() => inner)];
    },
  },
]);

/** 2.73: `{"lock": null}` or `{"lock": {"locked_reason": "..."}}`. */
const LockBodyV273 = bodyClass('LockBodyV273', '2.73', [
  {
    name: 'lock',
    rules: () => {
      const inner = bodyClass(
        'Lock',
        '2.73',
        [
          {
            name: 'locked_reason',
            rules: () => [NotNullOptional(), IsString(), MinLen(1), MaxLen(255)],
          },
        ],
        { holder: 'lock' },
      );
      return [
        IsPresent(),
        HasType(['object', 'null']),
        ValidateIf((_, v) => v !== null),
        ValidateNested(),
        Type(() => inner),
      ];
    },
  },
]);

/** Actions whose body is not looked at (`{"os-stop": null}` and the like). */
const NO_BODY = ['os-stop', 'os-start', 'pause', 'unpause', 'suspend', 'resume', 'unlock'] as const;

/**
 * Nova's action dispatch: the body must have exactly one key, the action's
 * name (else 400 "Malformed request body"); an unknown name is 400 "There is
 * no such action: x"; a name outside its microversions is 404; then the
 * action's own schema.
 */
export function parseServerAction(body: unknown, version: ApiVersion): ServerAction {
  const name = actionName(body);
  switch (name) {
    case 'reboot': {
      const parsed = validateBody(RebootBody, body) as { reboot: { type: string } };
      return { action: 'reboot', type: parsed.reboot.type.toUpperCase() as 'SOFT' | 'HARD' };
    }
    case 'lock': {
      if (!version.atLeast('2.73')) {
        return { action: 'lock', reason: null };
      }
      const parsed = validateBody(LockBodyV273, body) as {
        lock: { locked_reason?: string } | null;
      };
      return { action: 'lock', reason: parsed.lock?.locked_reason ?? null };
    }
    case 'os-getConsoleOutput': {
      const parsed = validateBody(ConsoleOutputBody, body) as {
        'os-getConsoleOutput': { length?: number | string | null };
      };
      const length = parsed['os-getConsoleOutput'].length;
      const lines = length === undefined || length === null ? null : Number(length);
      return { action: 'os-getConsoleOutput', length: lines === -1 ? null : lines };
    }
    default:
      break;
  }
  if ((NO_BODY as readonly string[]).includes(name)) {
    return { action: name as (typeof NO_BODY)[number] };
  }
  const other = OTHER_NOVA_ACTIONS[name];
  if (other === undefined) {
    throw new Invalid(`There is no such action: ${name}`);
  }
  if (other === 'gone') {
    throw new ActionGone('This resource is no longer available. No forwarding address is given.');
  }
  if (!version.within(other.min, other.max)) {
    throw new NotFound('The resource could not be found.');
  }
  throw new ActionNotImplemented(`Action '${name}' is not implemented by this compute service.`);
}

/** The single key of an action body, with the errors Nova's action_peek leads to. */
function actionName(body: unknown): string {
  if (body === undefined || body === '') {
    throw new Invalid('Malformed request body');
  }
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const length = isObject
    ? Object.keys(body).length
    : typeof body === 'string' || Array.isArray(body)
      ? body.length
      : undefined;
  if (length !== undefined && length !== 1) {
    throw new Invalid('Malformed request body');
  }
  if (!isObject) {
    // Nova fails to read an action name out of anything but an object: 404.
    throw new NotFound('The resource could not be found.');
  }
  return Object.keys(body)[0];
}
