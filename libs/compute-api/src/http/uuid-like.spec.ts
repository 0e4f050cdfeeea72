import { uuidLike } from './uuid-like';

describe('uuidLike', () => {
  const canonical = '8cb5d7e8-c514-49a6-ac68-137a0755fd0e';

  it('accepts the canonical form and the spellings oslo accepts', () => {
    expect(uuidLike(canonical)).toBe(canonical);
    expect(uuidLike(canonical.toUpperCase())).toBe(canonical);
    expect(uuidLike(canonical.replaceAll('-', ''))).toBe(canonical);
    expect(uuidLike(`{${canonical}}`)).toBe(canonical);
    expect(uuidLike(`urn:uuid:${canonical}`)).toBe(canonical);
  });

  it('rejects anything else', () => {
    expect(uuidLike('1')).toBeNull();
    expect(uuidLike(`${canonical}0`)).toBeNull();
    expect(uuidLike('zzb5d7e8-c514-49a6-ac68-137a0755fd0e')).toBeNull();
    expect(uuidLike('')).toBeNull();
  });
});
