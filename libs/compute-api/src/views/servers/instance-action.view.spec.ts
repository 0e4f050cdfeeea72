import type { InstanceActionRecord } from '@nova/servers';
import { ApiVersion } from '../../http/api-version';
import { instanceActionView } from './instance-action.view';

const PROJECT = 'c398617eadc64b1d9a11e10d25593c1b';
const at = (s: string) => new Date(`2026-11-21T20:07:${s}Z`);

const start: InstanceActionRecord = {
  action: 'start',
  instance_uuid: '5b3d066e-e175-43da-966a-14c63eded6f5',
  request_id: 'req-a987c06b-7386-4b64-9e97-aab6da10c5e7',
  user_id: 'd737b18eed4f4fc89ba70dbe92bda493',
  project_id: PROJECT,
  start_time: at('27'),
  updated_at: at('27'),
  message: null,
  events: [
    {
      event: 'compute_start_instance',
      start_time: at('27'),
      finish_time: at('27'),
      result: 'Success',
      traceback: null,
      host: 'compute2',
      details: null,
    },
  ],
};

const summary = {
  action: 'start',
  instance_uuid: start.instance_uuid,
  request_id: start.request_id,
  user_id: start.user_id,
  project_id: PROJECT,
  start_time: '2026-11-21T20:07:27.000000',
  message: null,
};

describe('instanceActionView', () => {
  it('lists as samples 52 (2.1) and 53 (2.93)', () => {
    expect(instanceActionView(start, ApiVersion.parse('2.1'), null)).toEqual(summary);
    expect(instanceActionView(start, ApiVersion.parse('2.93'), null)).toEqual({
      ...summary,
      updated_at: '2026-11-21T20:07:27.000000',
    });
  });

  it('shows events to admins as sample 54', () => {
    const view = instanceActionView(start, ApiVersion.parse('2.93'), {
      traceback: true,
      host: true,
      hostId: true,
      details: true,
      projectId: PROJECT,
    });
    expect(view['events']).toEqual([
      {
        event: 'compute_start_instance',
        start_time: '2026-11-21T20:07:27.000000',
        finish_time: '2026-11-21T20:07:27.000000',
        result: 'Success',
        traceback: null,
        host: 'compute2',
        hostId: '7047262591060524bbe48ded925354b9d338c64a105253e314f3215a',
        details: null,
      },
    ]);
  });

  it('hides traceback, host and details from the others', () => {
    const view = instanceActionView(start, ApiVersion.parse('2.62'), {
      traceback: false,
      host: false,
      hostId: true,
      details: false,
      projectId: PROJECT,
    });
    expect(Object.keys((view['events'] as object[])[0])).toEqual([
      'event',
      'start_time',
      'finish_time',
      'result',
      'hostId',
    ]);
  });
});
