import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateIf, ValidateNested } from 'class-validator';
import type { ActionSpec } from './action-spec';
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

/** An action body `{"<name>": {fields}}` by the microversion each class starts at. */
function actionBodies(
  name: string,
  versions: readonly string[],
  fields: (version: string) => FieldSpec[],
  options: { nullable?: boolean } = {},
): Record<string, new () => object> {
  return Object.fromEntries(
    versions.map((v) => {
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
      return [v, outer];
    }),
  );
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

/** The move actions: their schemas per microversion and what a valid body asks for. */
export const MOVE_ACTIONS: Readonly<
  Record<
    'resize' | 'confirmResize' | 'revertResize' | 'migrate' | 'os-migrateLive' | 'evacuate',
    ActionSpec<MoveAction>
  >
> = {
  resize: {
    bodies: RESIZE,
    read: (body) => {
      const r = (
        body as {
          resize: { flavorRef: string | number; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' };
        }
      ).resize;
      return {
        action: 'resize',
        flavorId: idFromHref(r.flavorRef),
        diskConfig: r['OS-DCF:diskConfig'] ?? null,
      };
    },
  },
  confirmResize: { bodies: { '2.1': null }, read: () => ({ action: 'confirmResize' }) },
  revertResize: { bodies: { '2.1': null }, read: () => ({ action: 'revertResize' }) },
  migrate: {
    // Nova reads nothing from the body before 2.56.
    bodies: { '2.1': null, ...MIGRATE },
    read: (body, version) => {
      if (!version.atLeast('2.56')) {
        return { action: 'migrate', host: null };
      }
      const m = (body as { migrate: { host?: string | null } | null }).migrate;
      return { action: 'migrate', host: m?.host ?? null };
    },
  },
  'os-migrateLive': {
    bodies: MIGRATE_LIVE,
    read: (body) => {
      const l = (
        body as {
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
    },
  },
  evacuate: {
    bodies: EVACUATE,
    read: (body) => {
      const e = (
        body as {
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
    },
  },
};

/** POST /servers/{id}/migrations/{id}/action: `{"force_complete": null}`. */
export const ForceCompleteBody = bodyClass('ForceCompleteBody', '2.22', [
  { name: 'force_complete', rules: () => [IsPresent(), HasType(['null'])] },
]);
