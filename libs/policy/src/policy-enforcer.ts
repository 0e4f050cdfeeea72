import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import { Forbidden, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { evaluate, type Credentials, type Target } from './evaluate';
import { DEFAULT_RULES, LEGACY_BASE_RULES } from './nova-policies';
import { parseRule, type Check } from './rule-parser';

const log = getLogger('policy');

export class PolicyNotAuthorized extends Forbidden {
  constructor(readonly rule: string) {
    super(`Policy doesn't allow ${rule} to be performed.`, { rule });
  }
}

/**
 * Nova's policy: rule defaults, overridden by `[oslo_policy] policy_file`
 * (YAML or JSON, looked up next to the config files when relative). Rules are
 * parsed once. A rule name nobody registered fails closed.
 */
@Injectable()
export class PolicyEnforcer {
  private rules: ReadonlyMap<string, Check>;

  constructor(@Inject(NOVA_CONFIG) private readonly config: NovaConfig) {
    this.rules = loadRules(config);
  }

  /**
   * Re-read the policy file (SIGHUP). A file that does not parse leaves the
   * rules as they were and throws, so a typo cannot open or close the API.
   */
  reload(): void {
    this.rules = loadRules(this.config);
    log.info({ rules: this.rules.size }, 'policy reloaded');
  }

  /** True when `rule` allows the request on `target` (default target: the caller's own project and user). */
  allows(ctx: RequestContext, rule: string, target?: Target): boolean {
    const check = this.rules.get(rule);
    if (!check) {
      log.error({ rule }, 'policy rule is not registered; denying');
      return false;
    }
    return evaluate(
      check,
      target ?? { project_id: ctx.projectId, user_id: ctx.userId },
      credentials(ctx),
      (name) => this.rules.get(name),
    );
  }

  /** Throw 403 (Nova's "Policy doesn't allow ... to be performed.") unless allowed. */
  authorize(ctx: RequestContext, rule: string, target?: Target): void {
    if (!this.allows(ctx, rule, target)) {
      throw new PolicyNotAuthorized(rule);
    }
  }
}

function loadRules(config: NovaConfig): Map<string, Check> {
  const defaults = config.oslo_policy.enforce_new_defaults
    ? DEFAULT_RULES
    : withLegacyDefaults(DEFAULT_RULES);
  const rules = new Map<string, Check>();
  for (const [name, text] of Object.entries({ ...defaults, ...loadOverrides(config) })) {
    rules.set(name, parseRule(text));
  }
  return rules;
}

/** Each rule with a deprecated default accepts it too (oslo.policy's "new or old"). */
function withLegacyDefaults(rules: Record<string, string>): Record<string, string> {
  const merged = { ...rules };
  for (const [name, legacy] of Object.entries(LEGACY_BASE_RULES)) {
    merged[name] = `(${rules[name]}) or (${legacy})`;
  }
  return merged;
}

function credentials(ctx: RequestContext): Credentials {
  return {
    user_id: ctx.userId,
    project_id: ctx.projectId,
    roles: ctx.roles,
    is_admin: ctx.isAdmin,
  };
}

function loadOverrides(config: NovaConfig): Record<string, string | unknown[]> {
  const file = config.oslo_policy.policy_file;
  const candidates = isAbsolute(file) ? [file] : config.files.map((f) => join(dirname(f), file));
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    return {};
  }
  const text = readFileSync(path, 'utf8');
  const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (parsed === null || parsed === undefined) {
    return {};
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path}: a policy file maps rule names to rules`);
  }
  const overrides: Record<string, string | unknown[]> = {};
  for (const [name, rule] of Object.entries(parsed as Record<string, unknown>)) {
    overrides[name] = Array.isArray(rule) ? rule : String(rule);
  }
  log.info({ path, rules: Object.keys(overrides).length }, 'policy file loaded');
  return overrides;
}
