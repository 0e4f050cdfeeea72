import { instanceName, isServiceUp } from './service-state';

describe('isServiceUp', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const at = (iso: string | null) => (iso === null ? null : new Date(iso));
  const service = (lastSeen: string | null, updated: string | null, created: string | null) => ({
    forced_down: false,
    last_seen_up: at(lastSeen),
    updated_at: at(updated),
    created_at: at(created),
  });

  it('is up within service_down_time of the last heartbeat', () => {
    expect(isServiceUp(service('2026-01-01T00:00:00Z', null, null), 60, now)).toBe(true);
    expect(isServiceUp(service('2026-01-01T00:00:00Z', null, null), 59, now)).toBe(false);
  });

  it('falls back to updated_at, then created_at', () => {
    expect(
      isServiceUp(service(null, '2026-01-01T00:00:30Z', '2020-01-01T00:00:00Z'), 60, now),
    ).toBe(true);
    expect(isServiceUp(service(null, null, '2026-01-01T00:00:30Z'), 60, now)).toBe(true);
    expect(isServiceUp(service(null, null, '2025-12-31T00:00:00Z'), 60, now)).toBe(false);
    expect(isServiceUp(service(null, null, null), 60, now)).toBe(false);
  });

  it('is down when forced down, however fresh the heartbeat', () => {
    expect(
      isServiceUp({ ...service('2026-01-01T00:01:00Z', null, null), forced_down: true }, 60, now),
    ).toBe(false);
  });

  it('names instances as instance-%08x', () => {
    expect(instanceName(1)).toBe('instance-00000001');
    expect(instanceName(255)).toBe('instance-000000ff');
  });
});
