import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseIni } from 'ini';
import { validateSync } from 'class-validator';
import { maskUrl } from '@nova/common';
import { ConfigError } from './config-error';
import { SECTIONS, type NovaConfig } from './nova-config';
import { optionsOf, sectionOf, type OptionMeta } from './option.decorator';

type RawConfig = Map<string, Map<string, string>>;

export interface LoadOptions {
  /** Files in order; later ones override earlier ones. */
  files: readonly string[];
  /** Environment for OS_<SECTION>__<OPTION> overrides (oslo.config's environment source). */
  env?: NodeJS.ProcessEnv;
  /** Last-word overrides, e.g. from tests: { database: { connection: '...' } }. */
  overrides?: Record<string, Record<string, string>>;
}

/** Read, merge, interpolate, type and validate nova.conf. Throws ConfigError. */
export function loadConfig(options: LoadOptions): NovaConfig {
  const raw: RawConfig = new Map();
  for (const file of options.files) {
    mergeInto(raw, readIni(file));
  }
  mergeInto(raw, fromEnv(options.env ?? {}));
  mergeInto(raw, fromObject(options.overrides ?? {}));

  const problems: string[] = [];
  const config: Record<string, unknown> = { files: [...options.files] };
  for (const [key, cls] of Object.entries(SECTIONS)) {
    config[key] = buildSection(cls, raw, problems);
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.join('\n'));
  }
  return config as NovaConfig;
}

function readIni(file: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`Failed to find some config files: ${file}`);
  }
  const parsed = parseIni(text) as Record<string, unknown>;
  return fromObject(parsed);
}

function fromObject(obj: Record<string, unknown>): RawConfig {
  const raw: RawConfig = new Map();
  for (const [section, values] of Object.entries(obj)) {
    if (values && typeof values === 'object') {
      const entries = Object.entries(values as Record<string, unknown>).map(
        ([k, v]) => [k, String(v)] as const,
      );
      raw.set(section, new Map(entries));
    }
  }
  return raw;
}

function fromEnv(env: NodeJS.ProcessEnv): RawConfig {
  const raw: RawConfig = new Map();
  for (const [name, value] of Object.entries(env)) {
    const match = /^OS_([A-Za-z0-9_]+?)__([A-Za-z0-9_]+)$/.exec(name);
    if (!match || value === undefined) {
      continue;
    }
    const section = match[1] === 'DEFAULT' ? 'DEFAULT' : match[1].toLowerCase();
    const values = raw.get(section) ?? new Map<string, string>();
    values.set(match[2].toLowerCase(), value);
    raw.set(section, values);
  }
  return raw;
}

function mergeInto(target: RawConfig, source: RawConfig): void {
  for (const [section, values] of source) {
    const merged = target.get(section) ?? new Map<string, string>();
    for (const [k, v] of values) {
      merged.set(k, v);
    }
    target.set(section, merged);
  }
}

function buildSection(cls: new () => object, raw: RawConfig, problems: string[]): object {
  const section = sectionOf(cls);
  const instance = new cls() as Record<string, unknown>;
  const values = raw.get(section) ?? new Map<string, string>();
  const metas = new Map(optionsOf(cls).map((m) => [m.name, m]));

  for (const [name, text] of values) {
    const meta = metas.get(name);
    if (!meta) {
      continue; // oslo.config ignores options nobody registered
    }
    const expanded = interpolate(text, section, raw);
    const converted = convert(meta, expanded);
    if (converted.error) {
      problems.push(describe(section, meta, expanded, converted.error));
    } else {
      instance[name] = converted.value;
    }
  }
  for (const error of validateSync(instance)) {
    const meta = metas.get(error.property);
    const reason = Object.values(error.constraints ?? {}).join('; ');
    const value = error.value === undefined ? '' : String(error.value);
    problems.push(
      meta ? describe(section, meta, value, reason) : `[${section}] ${error.property}: ${reason}`,
    );
  }
  return instance;
}

type Converted = { value: unknown; error?: undefined } | { value?: undefined; error: string };

function convert(meta: OptionMeta, text: string): Converted {
  const trimmed = text.trim();
  switch (meta.kind) {
    case 'string':
      return { value: trimmed === '' ? undefined : trimmed }; // empty means unset, as in oslo
    case 'path':
      return { value: trimmed === '' ? undefined : resolve(trimmed) };
    case 'int':
      return /^[-+]?\d+$/.test(trimmed)
        ? { value: Number(trimmed) }
        : { error: 'must be an integer' };
    case 'float':
      return trimmed !== '' && Number.isFinite(Number(trimmed))
        ? { value: Number(trimmed) }
        : { error: 'must be a number' };
    case 'bool': {
      const lower = trimmed.toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(lower)) {
        return { value: true };
      }
      if (['false', 'no', 'off', '0'].includes(lower)) {
        return { value: false };
      }
      return { error: 'must be a boolean (true or false)' };
    }
    case 'list':
      return {
        value: trimmed
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
  }
}

/** oslo.config substitution: $opt, ${opt} and ${section.opt}; $$ is a literal $. */
function interpolate(text: string, section: string, raw: RawConfig, depth = 0): string {
  if (depth > 10 || !text.includes('$')) {
    return text;
  }
  return text.replace(
    /\$\$|\$\{([A-Za-z0-9_.]+)\}|\$([A-Za-z0-9_]+)/g,
    (match, braced?: string, bare?: string) => {
      if (match === '$$') {
        return '$';
      }
      const ref = (braced ?? bare) as string;
      const [refSection, refName] = ref.includes('.') ? ref.split('.', 2) : [undefined, ref];
      const value = lookup(refSection ?? section, refName, raw) ?? lookup('DEFAULT', refName, raw);
      if (value === undefined) {
        throw new ConfigError(`[${section}] references undefined option $${ref}`);
      }
      return interpolate(value, refSection ?? section, raw, depth + 1);
    },
  );
}

function lookup(section: string, name: string, raw: RawConfig): string | undefined {
  const cls = Object.values(SECTIONS).find((c) => sectionOf(c) === section);
  const explicit = raw.get(section)?.get(name);
  if (explicit !== undefined) {
    const isPath =
      cls !== undefined && optionsOf(cls).some((m) => m.name === name && m.kind === 'path');
    return isPath ? resolve(explicit.trim()) : explicit;
  }
  const fallback = cls ? (new cls() as unknown as Record<string, unknown>)[name] : undefined;
  return typeof fallback === 'string' ||
    typeof fallback === 'number' ||
    typeof fallback === 'boolean'
    ? String(fallback)
    : undefined;
}

function describe(section: string, meta: OptionMeta, value: string, reason: string): string {
  const shown = meta.secret ? (value.includes('://') ? maskUrl(value) : '****') : value;
  return `Invalid value for option [${section}] ${meta.name} = '${shown}': ${reason}`;
}
