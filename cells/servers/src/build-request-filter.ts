import type { ServerListQuery, ServerRecord } from '@nova/servers';

/**
 * The cells' SQL filters, applied in code to servers still in build requests
 * (few, short-lived, and stored as JSON in the API database). Regexes match
 * anywhere in the value, as MySQL's REGEXP does.
 */
export function buildRequestMatches(
  server: ServerRecord,
  q: ServerListQuery,
  projectId: string | undefined,
): boolean {
  const re = (pattern: string | undefined, value: string | null) =>
    pattern === undefined || (value !== null && safeRegex(pattern).test(value));
  const eq = <T>(wanted: T | undefined, value: T) => wanted === undefined || wanted === value;
  const inList = (list: readonly string[] | undefined, value: string | null) =>
    list === undefined || (value !== null && list.includes(value));
  const tags = new Set(server.tags);
  return (
    q.deleted !== true &&
    !q.matchesNothing &&
    eq(projectId, server.project_id) &&
    eq(q.userId, server.user_id) &&
    eq(q.image, server.image_ref) &&
    eq(q.flavor, server.flavor.flavorid) &&
    eq(q.locked, server.locked) &&
    // Not on any host yet: host, node and address filters cannot match.
    q.host === undefined &&
    q.node === undefined &&
    q.ip === undefined &&
    q.ip6 === undefined &&
    Object.keys(q.regex ?? {}).length === 0 &&
    re(q.name, server.display_name) &&
    re(q.description, server.display_description) &&
    re(q.hostname, server.hostname) &&
    re(q.keyName, server.key_name) &&
    re(q.availabilityZone, server.availability_zone) &&
    re(q.reservationId, server.reservation_id) &&
    inList(q.vmStates, server.vm_state) &&
    inList(q.taskStates, server.task_state) &&
    inList(q.uuids, server.uuid) &&
    (q.changesSince === undefined || server.created_at >= q.changesSince) &&
    (q.changesBefore === undefined || server.created_at <= q.changesBefore) &&
    (q.tags ?? []).every((t) => tags.has(t)) &&
    (q.tagsAny === undefined || q.tagsAny.length === 0 || q.tagsAny.some((t) => tags.has(t))) &&
    (q.notTags === undefined || q.notTags.length === 0 || !q.notTags.every((t) => tags.has(t))) &&
    !(q.notTagsAny ?? []).some((t) => tags.has(t))
  );
}

function safeRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return /$^/; // an invalid pattern matches nothing
  }
}
