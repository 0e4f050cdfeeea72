/** EC2 metadata versions, oldest first (`latest` is the last). */
export const EC2_VERSIONS = [
  '1.0',
  '2007-01-19',
  '2007-03-01',
  '2007-08-29',
  '2007-10-10',
  '2007-12-15',
  '2008-02-01',
  '2008-09-01',
  '2009-04-04',
] as const;

/** OpenStack metadata versions (Nova's release dates), oldest first. */
export const OPENSTACK_VERSIONS = [
  '2012-08-10', // Folsom
  '2013-04-04', // Grizzly: password, random_seed
  '2013-10-17', // Havana: vendor_data.json
  '2015-10-15', // Liberty: network_data.json, project_id
  '2016-06-30', // Newton: devices
  '2016-10-06', // Newton: vendor_data2.json
  '2017-02-22', // Ocata
  '2018-08-27', // Rocky
  '2020-10-14', // Victoria: dedicated_cpus
] as const;

export const GRIZZLY = '2013-04-04';
export const HAVANA = '2013-10-17';
export const LIBERTY = '2015-10-15';
export const NEWTON_ONE = '2016-06-30';
export const NEWTON_TWO = '2016-10-06';
export const VICTORIA = '2020-10-14';

/** A requested version as a known one (`latest` is the newest), or null. */
export function resolveVersion(versions: readonly string[], asked: string): string | null {
  if (asked === 'latest') {
    return versions[versions.length - 1] ?? null;
  }
  return versions.includes(asked) ? asked : null;
}

/** Whether `version` is `required` or newer (both known versions of the same list). */
export function atLeast(versions: readonly string[], version: string, required: string): boolean {
  return versions.indexOf(version) >= versions.indexOf(required);
}
