import { ApiVersion } from '../../http/api-version';
import { parseServerAction } from './server-actions';

const v = (text: string) => ApiVersion.parse(text);
const parse = (body: unknown, version = '2.1') => parseServerAction(body, v(version));

function failure(body: unknown, version = '2.1'): [number, string] {
  try {
    parse(body, version);
  } catch (e) {
    return [(e as { code: number }).code, (e as Error).message];
  }
  throw new Error('expected a failure');
}

describe('move actions (parseServerAction)', () => {
  it('reads resize with a flavor id or link and an optional disk config', () => {
    expect(parse({ resize: { flavorRef: '2' } })).toEqual({
      action: 'resize',
      flavorId: '2',
      diskConfig: null,
    });
    expect(
      parse({
        resize: { flavorRef: 'http://nova/v2.1/flavors/big', 'OS-DCF:diskConfig': 'AUTO' },
      }),
    ).toEqual({ action: 'resize', flavorId: 'big', diskConfig: 'AUTO' });
    expect(parse({ resize: { flavorRef: 3 } })).toMatchObject({ flavorId: '3' });
    expect(failure({ resize: {} })).toEqual([
      400,
      "Invalid input for field/attribute resize. Value: {}. 'flavorRef' is a required property",
    ]);
    expect(failure({ resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'SOMETIMES' } })[0]).toBe(400);
    expect(failure({ resize: { flavorRef: '2', extra: 1 } })[1]).toMatch(/'extra' was unexpected/);
  });

  it('reads confirmResize and revertResize without a body', () => {
    expect(parse({ confirmResize: null })).toEqual({ action: 'confirmResize' });
    expect(parse({ revertResize: null })).toEqual({ action: 'revertResize' });
  });

  it('reads migrate: the host only from 2.56, validated there', () => {
    expect(parse({ migrate: null })).toEqual({ action: 'migrate', host: null });
    expect(parse({ migrate: { host: 'c2' } }, '2.55')).toEqual({ action: 'migrate', host: null });
    expect(parse({ migrate: { host: 'c2' } }, '2.56')).toEqual({ action: 'migrate', host: 'c2' });
    expect(parse({ migrate: null }, '2.56')).toEqual({ action: 'migrate', host: null });
    expect(parse({ migrate: { host: null } }, '2.56')).toEqual({ action: 'migrate', host: null });
    expect(failure({ migrate: { host: 'bad host!' } }, '2.56')[0]).toBe(400);
    expect(failure({ migrate: { host: 'c2', force: true } }, '2.56')[0]).toBe(400);
  });

  it('reads os-migrateLive per microversion', () => {
    expect(
      parse({ 'os-migrateLive': { host: null, block_migration: false, disk_over_commit: false } }),
    ).toEqual({
      action: 'os-migrateLive',
      host: null,
      blockMigration: false,
      diskOverCommit: false,
      force: false,
    });
    // disk_over_commit is required before 2.25 and gone from it; 'auto' from 2.25.
    expect(failure({ 'os-migrateLive': { host: null, block_migration: true } })[1]).toMatch(
      /'disk_over_commit' is a required property/,
    );
    expect(
      failure({
        'os-migrateLive': { host: null, block_migration: 'auto', disk_over_commit: false },
      })[0],
    ).toBe(400);
    expect(
      parse({ 'os-migrateLive': { host: 'c2', block_migration: 'auto' } }, '2.25'),
    ).toMatchObject({
      host: 'c2',
      blockMigration: null,
      diskOverCommit: null,
    });
    expect(
      failure(
        { 'os-migrateLive': { host: null, block_migration: 'auto', disk_over_commit: false } },
        '2.25',
      )[1],
    ).toMatch(/'disk_over_commit' was unexpected/);
    expect(
      failure(
        { 'os-migrateLive': { host: 'c2', block_migration: 'auto', force: true } },
        '2.29',
      )[0],
    ).toBe(400);
    expect(
      parse({ 'os-migrateLive': { host: 'c2', block_migration: 'true', force: 'yes' } }, '2.30'),
    ).toMatchObject({ blockMigration: true, force: true });
    expect(
      failure(
        { 'os-migrateLive': { host: 'c2', block_migration: 'auto', force: true } },
        '2.68',
      )[1],
    ).toMatch(/'force' was unexpected/);
    expect(failure({ 'os-migrateLive': { block_migration: 'auto' } }, '2.68')[1]).toMatch(
      /'host' is a required property/,
    );
  });

  it('reads evacuate per microversion', () => {
    expect(failure({ evacuate: { host: 'c2' } })[1]).toMatch(
      /'onSharedStorage' is a required property/,
    );
    expect(parse({ evacuate: { onSharedStorage: 'False', adminPass: 'pw' } })).toEqual({
      action: 'evacuate',
      host: null,
      onSharedStorage: false,
      adminPass: 'pw',
      force: false,
    });
    expect(failure({ evacuate: { onSharedStorage: false } }, '2.14')[1]).toMatch(
      /'onSharedStorage' was unexpected/,
    );
    expect(parse({ evacuate: {} }, '2.14')).toMatchObject({ host: null, onSharedStorage: null });
    expect(parse({ evacuate: { host: 'c3', force: true } }, '2.29')).toMatchObject({
      host: 'c3',
      force: true,
    });
    expect(failure({ evacuate: { force: true } }, '2.68')[1]).toMatch(/'force' was unexpected/);
    expect(failure({ evacuate: { host: null } }, '2.14')[0]).toBe(400);
  });
});
