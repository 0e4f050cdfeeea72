import type { InstanceActionRecord } from '@nova/servers';
import { ApiVersion } from '../../http/api-version';
import { actionListQuery, pageOfActions } from './instance-action-query';

const v = (s: string) => ApiVersion.parse(s);

function failure(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    expect((e as { code: number }).code).toBe(400);
    return (e as Error).message;
  }
}

const action = (n: number): InstanceActionRecord => ({
  action: 'reboot',
  instance_uuid: 'u',
  request_id: `req-${n}`,
  user_id: 'u1',
  project_id: 'p1',
  start_time: new Date(n * 1000),
  updated_at: new Date(n * 1000),
  message: null,
  events: [],
});
// Newest first, as the port returns them.
const actions = [5, 4, 3, 2, 1].map(action);

describe('actionListQuery', () => {
  it('ignores the query string before 2.58', () => {
    expect(actionListQuery({ limit: 'x', bogus: '1' }, v('2.57'), 1000)).toBeNull();
  });

  it('reads limit (capped), marker and the dates', () => {
    expect(actionListQuery({}, v('2.58'), 1000)).toEqual({ limit: 1000 });
    expect(
      actionListQuery(
        { limit: '5000', marker: 'req-3', 'changes-since': '2026-01-01T00:00:00Z' },
        v('2.58'),
        1000,
      ),
    ).toEqual({ limit: 1000, marker: 'req-3', changesSince: new Date('2026-01-01T00:00:00Z') });
  });

  it("answers the schema's 400s", () => {
    expect(failure(() => actionListQuery({ limit: '-1' }, v('2.58'), 10))).toBe(
      "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
    );
    expect(failure(() => actionListQuery({ 'changes-before': 'x' }, v('2.58'), 10))).toBe(
      "Invalid input for query parameters changes-before. Value: x. Additional properties are not allowed ('changes-before' was unexpected)",
    );
    expect(failure(() => actionListQuery({ 'changes-before': 'x' }, v('2.66'), 10))).toBe(
      "Invalid input for query parameters changes-before. Value: x. 'x' is not a 'date-time'",
    );
    expect(
      failure(() =>
        actionListQuery(
          { 'changes-since': '2026-01-02', 'changes-before': '2026-01-01' },
          v('2.66'),
          10,
        ),
      ),
    ).toBe('The value of changes-since must be less than or equal to changes-before.');
  });
});

describe('pageOfActions', () => {
  const ids = (list: InstanceActionRecord[]) => list.map((a) => a.request_id);

  it('pages after the marker and cuts at the limit', () => {
    expect(ids(pageOfActions(actions, { limit: 2 }))).toEqual(['req-5', 'req-4']);
    expect(ids(pageOfActions(actions, { limit: 2, marker: 'req-4' }))).toEqual(['req-3', 'req-2']);
    expect(failure(() => pageOfActions(actions, { limit: 2, marker: 'req-9' }))).toBe(
      'Marker req-9 could not be found.',
    );
  });

  it('filters on updated_at, both ends included', () => {
    const page = pageOfActions(actions, {
      limit: 10,
      changesSince: new Date(2000),
      changesBefore: new Date(4000),
    });
    expect(ids(page)).toEqual(['req-4', 'req-3', 'req-2']);
  });
});
