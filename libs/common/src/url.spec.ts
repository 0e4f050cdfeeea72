import { maskUrl, urlScheme } from './url';

describe('maskUrl', () => {
  it.each([
    ['rabbit://openstack:secret@controller:5672/', 'rabbit://openstack:****@controller:5672/'],
    [
      'mysql+pymysql://nova:p@ss@controller/nova?charset=utf8',
      'mysql+pymysql://nova:****@controller/nova?charset=utf8',
    ],
    ['rabbit://u:p1@h1:5672,v:p2@h2:5672/vh', 'rabbit://u:****@h1:5672,v:****@h2:5672/vh'],
    ['mysql://root:pw@[::1]:3306/nova', 'mysql://root:****@[::1]:3306/nova'],
    ['mysql+pymysql://nova@controller/nova', 'mysql+pymysql://nova@controller/nova'],
    ['rabbit://controller:5672/', 'rabbit://controller:5672/'],
    ['none:///', 'none:///'],
    ['sqlite:////var/lib/nova/nova.sqlite', 'sqlite:////var/lib/nova/nova.sqlite'],
    ['', ''],
  ])('%s -> %s', (input, expected) => {
    expect(maskUrl(input)).toBe(expected);
  });
});

describe('urlScheme', () => {
  it('reads and lower-cases the scheme', () => {
    expect(urlScheme('MySQL+PyMySQL://h/db')).toBe('mysql+pymysql');
    expect(urlScheme('controller:5672')).toBe('controller');
    expect(urlScheme('no scheme here')).toBe('');
  });
});
