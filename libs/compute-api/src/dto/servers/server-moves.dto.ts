import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateIf, ValidateNested } from 'class-validator';
import type { ApiVersion } from '../../http/api-version';
import { validateBody } from '../../http/validation';
import { IsBooleanLike, isBooleanLike, IsPresent, NotNullOptional, toBool } from '../validators';
import { bodyClass, type FieldSpec } from './body-class';
import { HasType, MaxLen, MinLen, OneOf, OneOfSchemas, Pattern } from './checks';
import { FQDN_PATTERN, idFromHref } from './formats';

/** The move actions of POST /servers/{id}/action, parsed. */
export type MoveAction =
  | {
      readonly action: 'resize';
      readonly flavorId: string;
      readonly diskConfig: 'AUTO' | 'MANUAL' | null;
    }
  | { readonly action: 'confirmResize' }
  | { readonly action: 'revertResize' }
  /** host: 2.56 (null before, whatever the body says). */
  | { readonly action: 'migrate'; readonly host: string | null }
  | {
      readonly action: 'os-migrateLive';
      readonly host: string | null;
      /** null: `auto` (2.25). */
      readonly blockMigration: boolean | null;
      /** Before 2.25 (not used by this service's drivers). */
      readonly diskOverCommit: boolean | null;
      /** 2.30-2.67. */
      readonly force: boolean;
    }
  | {
      readonly action: 'evacuate';
      readonly host: string | null;
      /** Before 2.14 (required there). */
      readonly onSharedStorage: boolean | null;
      readonly adminPass: string | null;
      /** 2.29-2.67. */
      readonly force: boolean;
    };

/** Nova's fqdn parameter, optionally also null. */
const hostRules = (nullable: boolean) => (): PropertyDecorator[] => [
  ...(nullable ? [ValidateIf((_: unknown, v: unknown) => v !== null)] : [NotNullOptional()]),
  IsString(),
  MinLen(1),
  MaxLen(255),
  Pattern(FQDN_PATTERN),
];

const booleanRules = (): PropertyDecorator[] => [NotNullOptional(), IsBooleanLike()];

/** An action body `{"<name>": {fields}}` per microversion (the newest class at or below it). */
function actionBodies(
  name: string,
  versions: readonly string[],
  fields: (version: string) => FieldSpec[],
  options: { nullable?: boolean } = {},
): (version: ApiVersion) => new () => object {
  const classes = versions.map((v) => {
    const tag = `${name.replace(/[^a-zA-Z]/g, '')}V${v.replace('.', '')}`;
    const inner = bodyClass(tag, v, fields(v), { holder: name });
    const outer = bodyClass(`${tag}Body`, v, [
      {
        name,
        rules: () => [
          IsPresent(),
          ...(options.nullable
            ? [HasType(['object', 'null']), ValidateIf((_: unknown, x: unknown) => x !== null)]
            : [IsObject()]),
          ValidateNested(),
          Type(() => inner),
        ],
      },
    ]);
    return [v, outer] as const;
  });
  return (version) => ([...classes].reverse().find(([v]) => version.atLeast(v)) ?? classes[0])[1];
}

const RESIZE = actionBodies('resize', ['2.1'], () => [
  { name: 'flavorRef', rules: () => [IsPresent(), HasType(['string', 'integer']), MinLen(1)] },
  {
    name: 'OS-DCF:diskConfig',
    rules: () => [NotNullOptional(), IsString(), OneOf(['AUTO', 'MANUAL'])],
  },
]);

const MIGRATE = actionBodies(
  'migrate',
  ['2.56'],
  () => [{ name: 'host', rules: hostRules(true) }],
  { nullable: true },
);

const MIGRATE_LIVE = actionBodies('os-migrateLive', ['2.1', '2.25', '2.30', '2.68'], (v) => [
  { name: 'host', rules: () => [IsPresent(), ...hostRules(true)()] },
  {
    name: 'block_migration',
    until: '2.24',
    rules: () => [IsPresent(), IsBooleanLike()],
  },
  {
    name: 'block_migration',
    since: '2.25',
    rules: () => [IsPresent(), OneOfSchemas((x) => x === 'auto' || isBooleanLike(x))],
  },
  {
    name: 'disk_over_commit',
    until: '2.24',
    rules: () => [IsPresent(), IsBooleanLike()],
  },
  ...(v === '2.30' ? [{ name: 'force', rules: booleanRules }] : []),
]);

const EVACUATE = actionBodies('evacuate', ['2.1', '2.14', '2.29', '2.68'], (v) => [
  { name: 'host', rules: hostRules(false) },
  { name: 'adminPass', rules: () => [NotNullOptional(), IsString()] },
  { name: 'onSharedStorage', until: '2.13', rules: () => [IsPresent(), IsBooleanLike()] },
  ...(v === '2.29' ? [{ name: 'force', rules: booleanRules }] : []),
]);

/** The move action named `name`, validated by its schema for `version`. */
export function parseMoveAction(
  name: 'resize' | 'migrate' | 'os-migrateLive' | 'evacuate',
  body: unknown,
  version: ApiVersion,
): MoveAction {
  switch (name) {
    case 'resize': {
      const r = (
        validateBody(RESIZE(version), body) as {
          resize: { flavorRef: string | number; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' };
        }
      ).resize;
      return {
        action: 'resize',
        flavorId: idFromHref(r.flavorRef),
        diskConfig: r['OS-DCF:diskConfig'] ?? null,
      };
    }
    case 'migrate': {
      if (!version.atLeast('2.56')) {
        return { action: 'migrate', host: null }; // Nova reads nothing from the body before 2.56
      }
      const m = (
        validateBody(MIGRATE(version), body) as { migrate: { host?: string | null } | null }
      ).migrate;
      return { action: 'migrate', host: m?.host ?? null };
    }
    case 'os-migrateLive': {
      const l = (
        validateBody(MIGRATE_LIVE(version), body) as {
          'os-migrateLive': {
            host: string | null;
            block_migration: boolean | string;
            disk_over_commit?: boolean | string;
            force?: boolean | string;
          };
        }
      )['os-migrateLive'];
      return {
        action: 'os-migrateLive',
        host: l.host,
        blockMigration: l.block_migration === 'auto' ? null : toBool(l.block_migration),
        diskOverCommit: l.disk_over_commit === undefined ? null : toBool(l.disk_over_commit),
        force: l.force === undefined ? false : toBool(l.force),
      };
    }
    case 'evacuate': {
      const e = (
        validateBody(EVACUATE(version), body) as {
          evacuate: {
            host?: string;
            adminPass?: string;
            onSharedStorage?: boolean | string;
            force?: boolean | string;
          };
        }
      ).evacuate;
      return {
        action: 'evacuate',
        host: e.host ?? null,
        adminPass: e.adminPass ?? null,
        onSharedStorage: e.onSharedStorage === undefined ? null : toBool(e.onSharedStorage),
        force: e.force === undefined ? false : toBool(e.force),
      };
    }
  }
}

/** POST /servers/{id}/migrations/{id}/action: `{"force_complete": null}`. */
export const ForceCompleteBody = bodyClass('ForceCompleteBody', '2.22', [
  { name: 'force_complete', rules: () => [IsPresent(), HasType(['null'])] },
]);
