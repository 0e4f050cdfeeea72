import { readFileSync } from 'node:fs';
import { describeError } from '@nova/common';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import type { DriveOptions } from './config-drive-files';
import type { MetadataOptions } from './guest';

const log = getLogger('metadata');

/**
 * vendor_data.json: the `[api] vendordata_jsonfile_path` file's JSON object,
 * {} when unset, or (logged) when it cannot be read or is not an object, as
 * Nova's StaticJSON provider does.
 */
export function readVendorData(path: string | undefined): Record<string, unknown> {
  if (!path) {
    return {};
  }
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      return data as Record<string, unknown>;
    }
    log.warn({ path }, 'vendor data file is not a JSON object: vendor_data.json is {}');
  } catch (err) {
    log.warn({ path, err: describeError(err) }, 'cannot read the vendor data file: using {}');
  }
  return {};
}

/** The trees' settings from `[api]`. */
export function metadataOptions(config: Pick<NovaConfig, 'api'>): MetadataOptions {
  return {
    dhcpDomain: config.api.dhcp_domain,
    vendorData: readVendorData(config.api.vendordata_jsonfile_path),
  };
}

/** A config drive's settings from `[api]`. */
export function driveOptions(config: Pick<NovaConfig, 'api'>): DriveOptions {
  return {
    ...metadataOptions(config),
    skipEc2Versions: config.api.config_drive_skip_versions.split(/\s+/).filter(Boolean),
  };
}
