import type { Cell } from './cell';
import { gatherCells } from './scatter-gather';

const cell = (uuid: string): Cell => ({
  id: 1,
  uuid,
  name: uuid,
  transportUrl: 'none:///',
  databaseConnection: 'sqlite://',
  disabled: false,
  connectionKey: uuid,
});

describe('gatherCells', () => {
  it('returns a value, an error marker or a timeout marker per cell, within the timeout', async () => {
    jest.useFakeTimers();
    const work = gatherCells(
      [cell('fast'), cell('broken'), cell('stuck')],
      (c) => {
        if (c.uuid === 'fast') return Promise.resolve(1);
        if (c.uuid === 'broken') return Promise.reject(new Error('db down'));
        return new Promise<number>(() => undefined);
      },
      500,
    );
    await jest.advanceTimersByTimeAsync(500);
    const results = await work;
    jest.useRealTimers();
    expect(results.get('fast')).toEqual({ status: 'ok', value: 1 });
    expect(results.get('broken')).toMatchObject({ status: 'error' });
    expect(results.get('stuck')).toEqual({ status: 'timeout' });
  });

  it('turns a synchronous throw into an error marker', async () => {
    const results = await gatherCells(
      [cell('a')],
      () => {
        throw new Error('boom');
      },
      100,
    );
    expect(results.get('a')).toMatchObject({ status: 'error' });
  });
});
