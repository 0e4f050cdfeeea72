import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { Invalid, NotFound, NovaError } from '@nova/common';
import type { ApiVersion } from '../../http/api-version';
import { validateBody } from '../../http/validation';
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
import { parseMoveAction, type MoveAction } from './server-moves.dto';
import { parseRebuild, type RebuildRequest } from './server-rebuild.dto';

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

/** Actions whose body is not looked at (`{"os-stop": null}` and the like). */
const NO_BODY = [
  'os-stop',
  'os-start',
  'pause',
  'unpause',
  'suspend',
  'resume',
  'unlock',
  'unrescue',
  'injectNetworkInfo',
  'forceDelete',
  'restore',
  'confirmResize',
  'revertResize',
  'shelve',
  'shelveOffload',
] as const;

/**
 * Nova's action dispatch: the body must have exactly one key, the action's
 * name (else 400 "Malformed request body"); an unknown name is 400 "There is
 * no such action: x"; a name outside its microversions is 404; then the
 * action's own schema.
 */
export function parseServerAction(
  body: unknown,
  version: ApiVersion,
  options: { trustedCertsSupported: boolean } = { trustedCertsSupported: false },
): ServerAction {
  const name = actionName(body);
  switch (name) {
    case 'rebuild':
      return { action: 'rebuild', request: parseRebuild(body, version, options) };
    case 'resize':
    case 'migrate':
    case 'os-migrateLive':
    case 'evacuate':
      return parseMoveAction(name, body, version);
    case 'rescue': {
      const parsed = validateBody(RescueBody, body) as {
        rescue: { adminPass?: string; rescue_image_ref?: string } | null;
      };
      return {
        action: 'rescue',
        adminPass: parsed.rescue?.adminPass ?? null,
        rescueImageRef: parsed.rescue?.rescue_image_ref?.toLowerCase() ?? null,
      };
    }
    case 'os-resetState': {
      const parsed = validateBody(ResetStateBody, body) as {
        'os-resetState': { state: 'active' | 'error' };
      };
      return { action: 'os-resetState', state: parsed['os-resetState'].state };
    }
    case 'changePassword': {
      const parsed = validateBody(ChangePasswordBody, body) as {
        changePassword: { adminPass: string };
      };
      return { action: 'changePassword', adminPass: parsed.changePassword.adminPass };
    }
    case 'trigger_crash_dump':
      if (!version.atLeast('2.17')) {
        throw new NotFound('The resource could not be found.');
      }
      return { action: 'trigger_crash_dump' };
    case 'addFloatingIp':
    case 'removeFloatingIp': {
      if (!version.within(undefined, '2.43')) {
        throw new NotFound('The resource could not be found.');
      }
      const parsed = validateBody(FLOATING_IP_BODIES[name], body) as Record<
        string,
        { address: string; fixed_address?: string }
      >;
      const { address, fixed_address } = parsed[name];
      return name === 'addFloatingIp'
        ? { action: name, address, fixedAddress: fixed_address ?? null }
        : { action: name, address };
    }
    case 'addSecurityGroup':
    case 'removeSecurityGroup': {
      const parsed = validateBody(SECURITY_GROUP_BODIES[name], body) as Record<
        string,
        { name: string }
      >;
      const group = parsed[name].name.trim();
      if (group === '') {
        throw new Invalid('Security group name cannot be empty');
      }
      return { action: name, name: group };
    }
    case 'createImage': {
      const parsed = validateBody(CreateImageBody, body) as {
        createImage: { name: string; metadata?: Record<string, string> };
      };
      return {
        action: 'createImage',
        name: parsed.createImage.name.trim(),
        metadata: parsed.createImage.metadata ?? {},
      };
    }
    case 'createBackup': {
      const parsed = validateBody(CreateBackupBody, body) as {
        createBackup: {
          name: string;
          backup_type: string;
          rotation: number | string;
          metadata?: Record<string, string>;
        };
      };
      const b = parsed.createBackup;
      return {
        action: 'createBackup',
        name: b.name.trim(),
        backupType: b.backup_type,
        rotation: Number(b.rotation),
        metadata: b.metadata ?? {},
      };
    }
    case 'unshelve':
      return parseUnshelve(body, version);
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
    case 'os-getVNCConsole':
    case 'os-getSPICEConsole':
    case 'os-getSerialConsole': {
      if (!version.within(undefined, '2.5')) {
        throw new NotFound('The resource could not be found.');
      }
      const parsed = validateBody(LEGACY_CONSOLE_BODIES[name], body) as Record<
        string,
        { type: string }
      >;
      return { action: name, type: parsed[name].type };
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

/**
 * unshelve: before 2.77 the body is not looked at; 2.77 takes an
 * availability zone; 2.91 a host too, and a null zone (unpin).
 */
function parseUnshelve(body: unknown, version: ApiVersion): ServerAction {
  if (!version.atLeast('2.77')) {
    return { action: 'unshelve' };
  }
  if (!version.atLeast('2.91')) {
    const parsed = validateBody(UnshelveBodyV277, body) as {
      unshelve: { availability_zone: string } | null;
    };
    return parsed.unshelve === null
      ? { action: 'unshelve' }
      : { action: 'unshelve', availabilityZone: parsed.unshelve.availability_zone };
  }
  const parsed = validateBody(UnshelveBodyV291, body) as {
    unshelve: { availability_zone?: string | null; host?: string } | null;
  };
  const u = parsed.unshelve ?? {};
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
