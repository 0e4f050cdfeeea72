import { formatCellUrl } from './url-template';

describe('formatCellUrl (Nova template URLs)', () => {
  const base = 'rabbit://bob:s3kret@myhost:123/nova?sync=true#extra';

  it('fills every variable from the local URL', () => {
    expect(
      formatCellUrl(
        '{scheme}://{username}:{password}@{hostname}:{port}/{path}?{query}#{fragment}',
        base,
      ),
    ).toBe(base);
    expect(formatCellUrl('rabbit://{username}:{password}@otherhost/{path}', base)).toBe(
      'rabbit://bob:s3kret@otherhost/nova',
    );
  });

  it('offers numbered variables per host of a multi-host URL', () => {
    expect(
      formatCellUrl('rabbit://{username2}@{hostname2}:{port2}/', 'rabbit://a:1@h1:1,b:2@h2:2/v'),
    ).toBe('rabbit://b@h2:2/');
  });

  it('leaves plain URLs alone and refuses templates it cannot fill', () => {
    expect(formatCellUrl('mysql://u:p@h/db', undefined)).toBe('mysql://u:p@h/db');
    expect(() => formatCellUrl('mysql://{username}@h/db', undefined)).toThrow(/not set/);
    expect(() => formatCellUrl('mysql://{user}@h/db', base)).toThrow(/unknown variable \{user\}/);
  });
});
