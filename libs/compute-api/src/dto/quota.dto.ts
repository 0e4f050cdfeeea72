import { Type } from 'class-transformer';
import { IsDefined, IsObject, ValidateBy, ValidateNested } from 'class-validator';
import { IsBooleanLike, NotNullOptional } from './validators';

const MAX_LIMIT = 0x7fffffff;
const LIMIT_PATTERN = /^-?[0-9]+$/;

/**
 * Nova's common_quota: an integer, or a string of digits, from -1 (unlimited)
 * to the database's MAX_INT. The message's first word is replaced by the value
 * (see validation.ts), giving jsonschema's wording.
 */
function IsQuotaLimit(): PropertyDecorator {
  return ValidateBy({
    name: 'quotaLimit',
    validator: {
      validate: (v: unknown) => limitProblem(v) === undefined,
      defaultMessage: (args) => `VALUE ${limitProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}

function limitProblem(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (!LIMIT_PATTERN.test(value)) {
      return `does not match '${LIMIT_PATTERN.source}'`;
    }
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    return "is not of type 'integer', 'string'";
  }
  // Nova checks the range of numbers only; we check digit strings too, so a
  // limit below -1 or beyond the column never reaches the database.
  const n = Number(value);
  if (n < -1) {
    return 'is less than the minimum of -1';
  }
  return n > MAX_LIMIT ? `is greater than the maximum of ${MAX_LIMIT}` : undefined;
}

/** The resources a quota body may name before/after each microversion. */
const NETWORK = [
  'fixed_ips',
  'floating_ips',
  'security_groups',
  'security_group_rules',
  'networks',
];
const INJECTED = ['injected_files', 'injected_file_content_bytes', 'injected_file_path_bytes'];
const BASE = [
  'instances',
  'cores',
  'ram',
  'metadata_items',
  'key_pairs',
  'server_groups',
  'server_group_members',
];

export type QuotaValues = Record<string, number | string | undefined>;

/** A class whose optional properties are the given quota resources (and `force`). */
function quotaFields(resources: readonly string[], withForce: boolean): new () => object {
  class Fields {}
  for (const name of resources) {
    NotNullOptional()(Fields.prototype, name);
    IsQuotaLimit()(Fields.prototype, name);
  }
  if (withForce) {
    NotNullOptional()(Fields.prototype, 'force');
    IsBooleanLike()(Fields.prototype, 'force');
  }
  return Fields;
}

/** `{"<root>": {resource: limit, ...}}` and nothing else. */
function quotaBody(root: string, fields: new () => object): new () => object {
  class Body {}
  IsDefined()(Body.prototype, root);
  IsObject()(Body.prototype, root);
  ValidateNested()(Body.prototype, root);
  Type(() => fields)(Body.prototype, root);
  return Body;
}

export interface QuotaSetUpdateBody {
  quota_set: QuotaValues & { force?: boolean | string };
}

export interface QuotaClassSetUpdateBody {
  quota_class_set: QuotaValues;
}

const setBody = (resources: string[]) => quotaBody('quota_set', quotaFields(resources, true));
const classBody = (resources: string[]) =>
  quotaBody('quota_class_set', quotaFields(resources, false));

/** PUT /os-quota-sets/{id}: network quotas until 2.35 (networks itself is refused later), injected files until 2.56. */
export const QUOTA_SET_UPDATE_BODIES = {
  '2.1': setBody([...BASE, ...INJECTED, ...NETWORK]),
  '2.36': setBody([...BASE, ...INJECTED]),
  '2.57': setBody(BASE),
};

/** PUT /os-quota-class-sets/{id}: network quotas until 2.49, injected files until 2.56. */
export const QUOTA_CLASS_SET_UPDATE_BODIES = {
  '2.1': classBody([...BASE, ...INJECTED, ...NETWORK]),
  '2.50': classBody([...BASE, ...INJECTED]),
  '2.57': classBody(BASE),
};
