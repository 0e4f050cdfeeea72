import { parseRules, serializeRules } from './server-group';

describe('server group rules storage', () => {
  it('round-trips max_server_per_host as an integer', () => {
    expect(parseRules(serializeRules({ max_server_per_host: 3 }))).toEqual({
      max_server_per_host: 3,
    });
    expect(parseRules('{"max_server_per_host": "4"}')).toEqual({ max_server_per_host: 4 });
  });

  it('stores no rules as NULL and reads NULL, garbage or non-objects as no rules', () => {
    expect(serializeRules({})).toBeNull();
    for (const text of [null, '', 'not json', '[1]', 'null', '7']) {
      expect(parseRules(text)).toEqual({});
    }
  });
});
