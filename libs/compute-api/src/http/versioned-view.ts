import { ApiVersion } from './api-version';

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

  render(item: T, version: ApiVersion, context: C): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) {
      if (
        (f.since && version.compare(f.since) < 0) ||
        (f.until && version.compare(f.until) > 0) ||
        (f.when && !f.when(context))
      ) {
        continue;
      }
      out[f.name] = f.value(item, context);
    }
    return out;
  }
}
