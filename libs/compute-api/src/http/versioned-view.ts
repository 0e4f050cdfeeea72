import { ApiVersion } from './api-version';

/** A field value that leaves the field out for this item (the version alone keeps it). */
export const OMIT: unique symbol = Symbol('omit');

interface FieldSpec<T, C> {
  readonly name: string;
  readonly value: (item: T, context: C) => unknown;
  readonly since?: ApiVersion;
  readonly until?: ApiVersion;
  readonly when?: (context: C) => boolean;
}

/**
 * A response shape as a table of fields with the microversions they exist in,
 * so a view states each field's history in one place instead of in ifs:
 *
 *   new VersionedView<Flavor>()
 *     .field('swap', (f) => f.swap || '', { until: '2.74' })
 *     .field('swap', (f) => f.swap, { since: '2.75' })
 */
export class VersionedView<T, C = undefined> {
  private readonly fields: Array<FieldSpec<T, C>> = [];
  /**
   * The fields a context shows, worked out once per context object: a list
   * renders hundreds of items with one context, and the checks depend on the
   * version and the context only.
   */
  private readonly plans = new WeakMap<
    object,
    { version: ApiVersion; fields: FieldSpec<T, C>[] }
  >();

  field(
    name: string,
    value: (item: T, context: C) => unknown,
    range: { since?: string; until?: string; when?: (context: C) => boolean } = {},
  ): this {
    this.fields.push({
      name,
      value,
      ...(range.since ? { since: ApiVersion.parse(range.since) } : {}),
      ...(range.until ? { until: ApiVersion.parse(range.until) } : {}),
      ...(range.when ? { when: range.when } : {}),
    });
    return this;
  }

  /** The item's fields; a value of OMIT leaves its field out (never added, then deleted). */
  render(item: T, version: ApiVersion, context: C): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.fieldsFor(version, context)) {
      const value = f.value(item, context);
      if (value !== OMIT) {
        out[f.name] = value;
      }
    }
    return out;
  }

  private fieldsFor(version: ApiVersion, context: C): FieldSpec<T, C>[] {
    const key = typeof context === 'object' && context !== null ? context : undefined;
    const cached = key && this.plans.get(key);
    if (cached && cached.version === version) {
      return cached.fields;
    }
    const fields = this.fields.filter(
      (f) =>
        !(
          (f.since && version.compare(f.since) < 0) ||
          (f.until && version.compare(f.until) > 0) ||
          (f.when && !f.when(context))
        ),
    );
    if (key) {
      this.plans.set(key, { version, fields });
    }
    return fields;
  }
}
