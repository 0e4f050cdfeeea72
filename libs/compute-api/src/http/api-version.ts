import { Invalid, NovaError } from '@nova/common';

/** A compute API microversion, `2.N`. */
export class ApiVersion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}

  static parse(text: string): ApiVersion {
    const match = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text.trim());
    if (!match) {
      throw new Invalid(
        `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`,
      );
    }
    return new ApiVersion(Number(match[1]), Number(match[2]));
  }

  compare(other: ApiVersion): number {
    return this.major - other.major || this.minor - other.minor;
  }

  /** True when this version is at least `version` ("2.55"). */
  atLeast(version: string): boolean {
    return this.compare(ApiVersion.parse(version)) >= 0;
  }

  /** True when `min <= this <= max` (either bound optional). */
  within(min?: string, max?: string): boolean {
    return (
      (min === undefined || this.atLeast(min)) &&
      (max === undefined || this.compare(ApiVersion.parse(max)) <= 0)
    );
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export const MIN_API_VERSION = new ApiVersion(2, 1);

/**
 * The highest microversion every resource we serve implements fully. Raise it
 * only when every served resource honours every change up to the new value.
 */
export const MAX_API_VERSION = new ApiVersion(2, 93);

export class VersionNotAcceptable extends NovaError {
  readonly code = 406;
}

/**
 * The requested version: `OpenStack-API-Version: compute X.Y` wins over the legacy
 * `X-OpenStack-Nova-API-Version: X.Y`; none means 2.1; `latest` is the maximum.
 * Malformed is 400; well-formed but out of range is 406.
 */
export function negotiateVersion(headers: Record<string, string | string[] | undefined>): {
  requested: string;
  version?: ApiVersion;
  error?: NovaError;
} {
  const requested = requestedVersion(headers);
  if (requested === undefined) {
    return { requested: MIN_API_VERSION.toString(), version: MIN_API_VERSION };
  }
  if (requested.toLowerCase() === 'latest') {
    return { requested: MAX_API_VERSION.toString(), version: MAX_API_VERSION };
  }
  let version: ApiVersion;
  try {
    version = ApiVersion.parse(requested);
  } catch (error) {
    return { requested, error: error as NovaError };
  }
  if (version.compare(MIN_API_VERSION) < 0 || version.compare(MAX_API_VERSION) > 0) {
    return {
      requested,
      error: new VersionNotAcceptable(
        `Version ${requested} is not supported by the API. Minimum is ${MIN_API_VERSION.toString()} and maximum is ${MAX_API_VERSION.toString()}.`,
      ),
    };
  }
  return { requested, version };
}

function requestedVersion(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const modern = header(headers, 'openstack-api-version');
  if (modern !== undefined) {
    for (const part of modern.split(',')) {
      const [service, value] = part.trim().split(/\s+/, 2);
      if (service?.toLowerCase() === 'compute') {
        return value ?? ''; // "compute" without a version is malformed, not absent
      }
    }
  }
  return header(headers, 'x-openstack-nova-api-version');
}

function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
