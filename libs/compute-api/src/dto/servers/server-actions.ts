import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { Invalid, NotFound, NovaError } from '@nova/common';
import type { ApiVersion } from '../../http/api-version';
import { pickForVersion, validateBody } from '../../http/validation';
import type { ActionOptions, ActionSpec } from './action-spec';
import { IsPresent, NotNullOptional } from '../validators';
import { bodyClass } from './body-class';
import {
  Format,
  HasType,
  MaxLen,
  MinLen,
  NameFormat,
  OneOf,
  OneOfSchemas,
  Pattern,
} from './checks';
import {
  INVALID_NAME_MESSAGE,
  isIpv4Format,
  isIpv6Format,
  isUuidFormat,
  NAME_FORMAT,
} from './formats';
import { MetadataShape } from './metadata-check';
import { LEGACY_CONSOLE_BODIES, type LegacyConsoleAction } from './remote-consoles.dto';
import { MOVE_ACTIONS, type MoveAction } from './server-moves.dto';
import { REBUILD_ACTION, type RebuildRequest } from './server-rebuild.dto';

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
  | { readonly action: 'os-getConsoleOutput'; readonly length: number | null }
  | { readonly action: 'rebuild'; readonly request: RebuildRequest }
  | {
      readonly action: 'rescue';
      readonly adminPass: string | null;
      readonly rescueImageRef: string | null;
    }
  | { readonly action: 'unrescue' }
  | { readonly action: 'os-resetState'; readonly state: 'active' | 'error' }
  | { readonly action: 'changePassword'; readonly adminPass: string }
  | { readonly action: 'trigger_crash_dump' }
  | { readonly action: 'injectNetworkInfo' }
  | { readonly action: 'forceDelete' }
  | { readonly action: 'restore' }
  | { readonly action: 'addSecurityGroup'; readonly name: string }
  | { readonly action: 'removeSecurityGroup'; readonly name: string }
  | {
      readonly action: 'addFloatingIp';
      readonly address: string;
      readonly fixedAddress: string | null;
    }
  | { readonly action: 'removeFloatingIp'; readonly address: string }
  | {
      readonly action: 'createImage';
      readonly name: string;
      readonly metadata: Readonly<Record<string, string>>;
    }
  | {
      readonly action: 'createBackup';
      readonly name: string;
      readonly backupType: string;
      readonly rotation: number;
      readonly metadata: Readonly<Record<string, string>>;
    }
  | { readonly action: 'shelve' }
  | { readonly action: 'shelveOffload' }
  | {
      readonly action: 'unshelve';
      /** 2.77: the zone asked for (null from 2.91: unpin); undefined: none asked. */
      readonly availabilityZone?: string | null;
      /** 2.91. */
      readonly host?: string;
    }
  /** The legacy console actions (until 2.5), with the console type asked for. */
  | { readonly action: LegacyConsoleAction; readonly type: string }
  | MoveAction;

export type ServerActionName = ServerAction['action'];

/** A required member that is null or an object checked against `inner` (`{"rescue": null}`). */
function nullOrNested(inner: new () => object): PropertyDecorator[] {
  return [
    IsPresent(),
    HasType(['object', 'null']),
    ValidateIf((_, v) => v !== null),
    ValidateNested(),
    Type(() => inner),
  ];
}

/** A required member that is an object checked against `inner` (`{"createBackup": {...}}`). */
function requiredNested(inner: new () => object): PropertyDecorator[] {
  return [IsPresent(), IsObject(), ValidateNested(), Type(() => inner)];
}

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
  addFixedIp: { max: '2.43' },
  removeFixedIp: { max: '2.43' },
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
      return requiredNested(inner);
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
      return requiredNested(inner);
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
      return nullOrNested(inner);
    },
  },
]);

/** `{"rescue": null}` or `{"rescue": {"adminPass": ..., "rescue_image_ref": uuid}}`. */
const RescueBody = bodyClass('RescueBody', '2.1', [
  {
    name: 'rescue',
    rules: () => {
      const inner = bodyClass(
        'Rescue',
        '2.1',
        [
          { name: 'adminPass', rules: () => [NotNullOptional(), IsString()] },
          {
            name: 'rescue_image_ref',
            rules: () => [NotNullOptional(), IsString(), Format('uuid', isUuidFormat)],
          },
        ],
        { holder: 'rescue' },
      );
      return nullOrNested(inner);
    },
  },
]);

const ResetStateBody = bodyClass('ResetStateBody', '2.1', [
  {
    name: 'os-resetState',
    rules: () => {
      const inner = bodyClass(
        'ResetState',
        '2.1',
        [{ name: 'state', rules: () => [IsPresent(), IsString(), OneOf(['active', 'error'])] }],
        { holder: 'os-resetState' },
      );
      return requiredNested(inner);
    },
  },
]);

const ChangePasswordBody = bodyClass('ChangePasswordBody', '2.1', [
  {
    name: 'changePassword',
    rules: () => {
      const inner = bodyClass(
        'ChangePassword',
        '2.1',
        [{ name: 'adminPass', rules: () => [IsPresent(), IsString()] }],
        { holder: 'changePassword' },
      );
      return requiredNested(inner);
    },
  },
]);

/** add/removeSecurityGroup: `{"addSecurityGroup": {"name": "web"}}`. */
function securityGroupBody(action: string): new () => object {
  return bodyClass(`${action}Body`, '2.1', [
    {
      name: action,
      rules: () => {
        const inner = bodyClass(
          action,
          '2.1',
          [{ name: 'name', rules: () => [IsPresent(), IsString()] }],
          { holder: action },
        );
        return requiredNested(inner);
      },
    },
  ]);
}
const ipAddress = (v: unknown) => typeof v === 'string' && (isIpv4Format(v) || isIpv6Format(v));

/** add/removeFloatingIp (until 2.43): `{"addFloatingIp": {"address": ..., "fixed_address": ...}}`. */
function floatingIpBody(action: 'addFloatingIp' | 'removeFloatingIp'): new () => object {
  return bodyClass(`${action}Body`, '2.1', [
    {
      name: action,
      rules: () => {
        const inner = bodyClass(
          action,
          '2.1',
          [
            { name: 'address', rules: () => [IsPresent(), IsString(), OneOfSchemas(ipAddress)] },
            ...(action === 'addFloatingIp'
              ? [
                  {
                    name: 'fixed_address',
                    rules: () => [NotNullOptional(), IsString(), OneOfSchemas(ipAddress)],
                  },
                ]
              : []),
          ],
          { holder: action },
        );
        return requiredNested(inner);
      },
    },
  ]);
}
const FLOATING_IP_BODIES = {
  addFloatingIp: floatingIpBody('addFloatingIp'),
  removeFloatingIp: floatingIpBody('removeFloatingIp'),
};

const SECURITY_GROUP_BODIES = {
  addSecurityGroup: securityGroupBody('addSecurityGroup'),
  removeSecurityGroup: securityGroupBody('removeSecurityGroup'),
};

/** parameter_types.name: 1-255 characters, no leading or trailing whitespace. */
const nameRules = () => [
  IsPresent(),
  IsString(),
  MinLen(1),
  MaxLen(255),
  NameFormat((v) => NAME_FORMAT.test(v), INVALID_NAME_MESSAGE),
];

/** `{"createImage": {"name": ..., "metadata": {...}}}`. */
const CreateImageBody = bodyClass('CreateImageBody', '2.1', [
  {
    name: 'createImage',
    rules: () => {
      const inner = bodyClass(
        'CreateImage',
        '2.1',
        [
          { name: 'name', rules: nameRules },
          { name: 'metadata', rules: () => [NotNullOptional(), IsObject(), MetadataShape()] },
        ],
        { holder: 'createImage' },
      );
      return requiredNested(inner);
    },
  },
]);

/** parameter_types.non_negative_integer: an integer >= 0, or its digits. */
function NonNegativeIntLike(): PropertyDecorator {
  return ValidateBy({
    name: 'minimum',
    validator: {
      validate: (v: unknown) =>
        !(typeof v === 'number' || (typeof v === 'string' && /^[0-9]+$/.test(v))) || Number(v) >= 0,
      defaultMessage: () => 'value is less than the minimum of 0',
    },
  });
}

/** `{"createBackup": {"name", "backup_type", "rotation", "metadata"}}`. */
const CreateBackupBody = bodyClass('CreateBackupBody', '2.1', [
  {
    name: 'createBackup',
    rules: () => {
      const inner = bodyClass(
        'CreateBackup',
        '2.1',
        [
          { name: 'name', rules: nameRules },
          { name: 'backup_type', rules: () => [IsPresent(), IsString()] },
          {
            name: 'rotation',
            rules: () => [
              IsPresent(),
              HasType(['integer', 'string']),
              Pattern('^[0-9]*$'),
              MinLen(1),
              NonNegativeIntLike(),
            ],
          },
          { name: 'metadata', rules: () => [NotNullOptional(), IsObject(), MetadataShape()] },
        ],
        { holder: 'createBackup' },
      );
      return requiredNested(inner);
    },
  },
]);

/** 2.77-2.90: `{"unshelve": null}` or `{"unshelve": {"availability_zone": name}}` (required). */
const UnshelveBodyV277 = bodyClass('UnshelveBodyV277', '2.77', [
  {
    name: 'unshelve',
    rules: () => {
      const inner = bodyClass(
        'UnshelveV277',
        '2.77',
        [{ name: 'availability_zone', rules: nameRules }],
        { holder: 'unshelve' },
      );
      return nullOrNested(inner);
    },
  },
]);

/** 2.91: null, or an object with `availability_zone` (a string or null: unpin) and/or `host`. */
const UnshelveBodyV291 = bodyClass('UnshelveBodyV291', '2.91', [
  {
    name: 'unshelve',
    rules: () => {
      const inner = bodyClass(
        'UnshelveV291',
        '2.91',
        [
          {
            name: 'availability_zone',
            rules: () => [NotNullOptional(), HasType(['string', 'null'])],
          },
          { name: 'host', rules: () => [NotNullOptional(), IsString()] },
        ],
        { holder: 'unshelve' },
      );
      return nullOrNested(inner);
    },
  },
]);

/** An action whose member's value is not looked at (`{"os-stop": null}` and the like). */
const noBody = <N extends string>(action: N, min?: string, max?: string) => ({
  ...(min ? { min } : {}),
  ...(max ? { max } : {}),
  bodies: { '2.1': null },
  read: () => ({ action }),
});

/** An action with one schema for every microversion it exists in. */
function withBody<A>(
  cls: new () => object,
  read: (body: unknown) => A,
  range: { min?: string; max?: string } = {},
): ActionSpec<A> {
  return { ...range, bodies: { [range.min ?? '2.1']: cls }, read };
}

function floatingIpAction(name: 'addFloatingIp' | 'removeFloatingIp'): ActionSpec<ServerAction> {
  return withBody(
    FLOATING_IP_BODIES[name],
    (body) => {
      const { address, fixed_address } = (
        body as Record<string, { address: string; fixed_address?: string }>
      )[name];
      return name === 'addFloatingIp'
        ? { action: name, address, fixedAddress: fixed_address ?? null }
        : { action: name, address };
    },
    { max: '2.43' },
  );
}

function securityGroupAction(
  name: 'addSecurityGroup' | 'removeSecurityGroup',
): ActionSpec<ServerAction> {
  return withBody(SECURITY_GROUP_BODIES[name], (body) => {
    const group = (body as Record<string, { name: string }>)[name].name.trim();
    if (group === '') {
      throw new Invalid('Security group name cannot be empty');
    }
    return { action: name, name: group };
  });
}

function legacyConsoleAction(name: LegacyConsoleAction): ActionSpec<ServerAction> {
  return withBody(
    LEGACY_CONSOLE_BODIES[name],
    (body) => ({ action: name, type: (body as Record<string, { type: string }>)[name].type }),
    { max: '2.5' },
  );
}

/**
 * Every action this service carries out: the table the dispatcher validates
 * against and the OpenAPI document lists.
 */
export const SERVER_ACTIONS: Readonly<Record<ServerActionName, ActionSpec<ServerAction>>> = {
  reboot: withBody(RebootBody, (body) => ({
    action: 'reboot',
    type: (body as { reboot: { type: string } }).reboot.type.toUpperCase() as 'SOFT' | 'HARD',
  })),
  'os-stop': noBody('os-stop'),
  'os-start': noBody('os-start'),
  pause: noBody('pause'),
  unpause: noBody('unpause'),
  suspend: noBody('suspend'),
  resume: noBody('resume'),
  lock: {
    // Before 2.73 Nova does not look at the body.
    bodies: { '2.1': null, '2.73': LockBodyV273 },
    read: (body, version) => ({
      action: 'lock',
      reason: version.atLeast('2.73')
        ? ((body as { lock: { locked_reason?: string } | null }).lock?.locked_reason ?? null)
        : null,
    }),
  },
  unlock: noBody('unlock'),
  'os-getConsoleOutput': withBody(ConsoleOutputBody, (body) => {
    const length = (body as { 'os-getConsoleOutput': { length?: number | string | null } })[
      'os-getConsoleOutput'
    ].length;
    const lines = length === undefined || length === null ? null : Number(length);
    return { action: 'os-getConsoleOutput', length: lines === -1 ? null : lines };
  }),
  rebuild: REBUILD_ACTION,
  rescue: withBody(RescueBody, (body) => {
    const rescue = (body as { rescue: { adminPass?: string; rescue_image_ref?: string } | null })
      .rescue;
    return {
      action: 'rescue',
      adminPass: rescue?.adminPass ?? null,
      rescueImageRef: rescue?.rescue_image_ref?.toLowerCase() ?? null,
    };
  }),
  unrescue: noBody('unrescue'),
  'os-resetState': withBody(ResetStateBody, (body) => ({
    action: 'os-resetState',
    state: (body as { 'os-resetState': { state: 'active' | 'error' } })['os-resetState'].state,
  })),
  changePassword: withBody(ChangePasswordBody, (body) => ({
    action: 'changePassword',
    adminPass: (body as { changePassword: { adminPass: string } }).changePassword.adminPass,
  })),
  trigger_crash_dump: noBody('trigger_crash_dump', '2.17'),
  injectNetworkInfo: noBody('injectNetworkInfo'),
  forceDelete: noBody('forceDelete'),
  restore: noBody('restore'),
  addSecurityGroup: securityGroupAction('addSecurityGroup'),
  removeSecurityGroup: securityGroupAction('removeSecurityGroup'),
  addFloatingIp: floatingIpAction('addFloatingIp'),
  removeFloatingIp: floatingIpAction('removeFloatingIp'),
  createImage: withBody(CreateImageBody, (body) => {
    const c = (body as { createImage: { name: string; metadata?: Record<string, string> } })
      .createImage;
    return { action: 'createImage', name: c.name.trim(), metadata: c.metadata ?? {} };
  }),
  createBackup: withBody(CreateBackupBody, (body) => {
    const b = (
      body as {
        createBackup: {
          name: string;
          backup_type: string;
          rotation: number | string;
          metadata?: Record<string, string>;
        };
      }
    ).createBackup;
    return {
      action: 'createBackup',
      name: b.name.trim(),
      backupType: b.backup_type,
      rotation: Number(b.rotation),
      metadata: b.metadata ?? {},
    };
  }),
  shelve: noBody('shelve'),
  shelveOffload: noBody('shelveOffload'),
  unshelve: {
    // Before 2.77 the body is not looked at; 2.77 takes a zone; 2.91 a host too, and a null zone (unpin).
    bodies: { '2.1': null, '2.77': UnshelveBodyV277, '2.91': UnshelveBodyV291 },
    read: readUnshelve,
  },
  'os-getVNCConsole': legacyConsoleAction('os-getVNCConsole'),
  'os-getSPICEConsole': legacyConsoleAction('os-getSPICEConsole'),
  'os-getSerialConsole': legacyConsoleAction('os-getSerialConsole'),
  ...MOVE_ACTIONS,
};

/**
 * Nova's action dispatch: the body must have exactly one key, the action's
 * name (else 400 "Malformed request body"); an unknown name is 400 "There is
 * no such action: x"; a name outside its microversions is 404; then the
 * action's own schema for the microversion (SERVER_ACTIONS).
 */
export function parseServerAction(
  body: unknown,
  version: ApiVersion,
  options: ActionOptions = { trustedCertsSupported: false },
): ServerAction {
  const name = actionName(body);
  if (Object.hasOwn(SERVER_ACTIONS, name)) {
    const spec = SERVER_ACTIONS[name as ServerActionName];
    if (!version.within(spec.min, spec.max)) {
      throw new NotFound('The resource could not be found.');
    }
    const schema = pickForVersion(spec.bodies, version);
    return spec.read(schema ? validateBody(schema, body) : body, version, options);
  }
  const other = Object.hasOwn(OTHER_NOVA_ACTIONS, name) ? OTHER_NOVA_ACTIONS[name] : undefined;
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

function readUnshelve(body: unknown, version: ApiVersion): ServerAction {
  if (!version.atLeast('2.77')) {
    return { action: 'unshelve' };
  }
  if (!version.atLeast('2.91')) {
    const u = (body as { unshelve: { availability_zone: string } | null }).unshelve;
    return u === null
      ? { action: 'unshelve' }
      : { action: 'unshelve', availabilityZone: u.availability_zone };
  }
  const u =
    (body as { unshelve: { availability_zone?: string | null; host?: string } | null }).unshelve ??
    {};
  return {
    action: 'unshelve',
    ...('availability_zone' in u ? { availabilityZone: u.availability_zone ?? null } : {}),
    ...(u.host !== undefined ? { host: u.host } : {}),
  };
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
