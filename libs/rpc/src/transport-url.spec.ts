import { parseTransportUrl } from './transport-url';

describe('parseTransportUrl', () => {
  it('reads rabbit URLs with one or several brokers and a vhost', () => {
    expect(parseTransportUrl('rabbit://nova:s%2Fcret@mq1:5673,guest:guest@mq2/cell1')).toEqual({
      kind: 'amqp',
      vhost: 'cell1',
      hosts: [
        { hostname: 'mq1', port: 5673, username: 'nova', password: 's/cret' },
        { hostname: 'mq2', port: 5672, username: 'guest', password: 'guest' },
      ],
    });
  });

  it('uses the default vhost and host like oslo.messaging', () => {
    expect(parseTransportUrl('rabbit://')).toEqual({
      kind: 'amqp',
      vhost: '/',
      hosts: [{ hostname: 'localhost', port: 5672, username: 'guest', password: 'guest' }],
    });
    expect(parseTransportUrl('rabbit://u:p@h:5672/')).toMatchObject({ vhost: '/' });
  });

  it('knows the embedded and cell0 schemes', () => {
    expect(parseTransportUrl('inproc://cell1')).toEqual({ kind: 'inproc', name: 'cell1' });
    expect(parseTransportUrl('none:///')).toEqual({ kind: 'none' });
  });

  it.each([
    ['controller:5672', 'No scheme specified'],
    ['rabbit://u:p@h:abc/', "invalid literal for int() with base 10: 'abc'"],
    ['kafka://h/', "unsupported scheme 'kafka'"],
  ])('rejects %s', (url, reason) => {
    expect(() => parseTransportUrl(url)).toThrow(reason);
  });
});
