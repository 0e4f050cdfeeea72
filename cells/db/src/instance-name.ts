/** Nova's default `instance_name_template` (`instance-%08x`), the name hypervisors list servers by. */
export function instanceName(id: number): string {
  return `instance-${id.toString(16).padStart(8, '0')}`;
}
