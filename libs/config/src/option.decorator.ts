import 'reflect-metadata';

export type OptionKind = 'string' | 'path' | 'int' | 'float' | 'bool' | 'list';

export interface OptionMeta {
  readonly name: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** Never printed in clear: passwords, and URLs that may carry one. */
  readonly secret: boolean;
}

interface OptOptions {
  secret?: boolean;
}

const OPTIONS = Symbol('nova:options');
const SECTION = Symbol('nova:section');

function option(kind: OptionKind, help: string, opts: OptOptions): PropertyDecorator {
  return (target, key) => {
    const list =
      (Reflect.getMetadata(OPTIONS, target.constructor) as OptionMeta[] | undefined) ?? [];
    const meta: OptionMeta = { name: String(key), kind, help, secret: opts.secret ?? false };
    Reflect.defineMetadata(OPTIONS, [...list, meta], target.constructor);
  };
}

// Named after oslo.config's option types, so a reader of Nova's nova/conf/ feels at home.
export const StrOpt = (help: string, opts: OptOptions = {}) => option('string', help, opts);
/** A filesystem path; relative paths are made absolute against the working directory. */
export const PathOpt = (help: string, opts: OptOptions = {}) => option('path', help, opts);
export const IntOpt = (help: string, opts: OptOptions = {}) => option('int', help, opts);
export const FloatOpt = (help: string, opts: OptOptions = {}) => option('float', help, opts);
export const BoolOpt = (help: string, opts: OptOptions = {}) => option('bool', help, opts);
export const ListOpt = (help: string, opts: OptOptions = {}) => option('list', help, opts);

/** Names the nova.conf section a class of options lives in. */
export function Section(name: string): ClassDecorator {
  return (target) => Reflect.defineMetadata(SECTION, name, target);
}

export function optionsOf(cls: object): readonly OptionMeta[] {
  return (Reflect.getMetadata(OPTIONS, cls) as OptionMeta[] | undefined) ?? [];
}

export function sectionOf(cls: object): string {
  const name: unknown = Reflect.getMetadata(SECTION, cls);
  if (typeof name !== 'string') {
    throw new Error(`${String((cls as { name?: string }).name)} has no @Section`);
  }
  return name;
}
