import { capabilityText, isExtraSpecOperator, matchExtraSpec } from './extra-specs-ops';

describe('matchExtraSpec', () => {
  describe('without an operator', () => {
    it.each([
      ['abc', 'abc', true],
      ['abc', 'abd', false],
      ['1', '1', true],
      ['1.0', '1', false], // a literal compares as text
      ['a b', 'a b', true], // whole requirement, spaces included
      ['', '', true],
    ])('%j against %j -> %s', (value, req, expected) => {
      expect(matchExtraSpec(value, req)).toBe(expected);
    });

    it('never matches an absent value', () => {
      expect(matchExtraSpec(null, 'x')).toBe(false);
      expect(matchExtraSpec(undefined, '')).toBe(false);
    });

    it('takes words that are object properties for literals, not operators', () => {
      expect(matchExtraSpec('toString x', 'toString x')).toBe(true);
      expect(matchExtraSpec('x', 'constructor x')).toBe(false);
    });

    it('reads an operator glued to its operand as a literal', () => {
      expect(matchExtraSpec('s==foo', 's==foo')).toBe(true);
      expect(matchExtraSpec('foo', 's==foo')).toBe(false);
      expect(matchExtraSpec('3', '>=2')).toBe(false);
    });
  });

  describe('numeric operators', () => {
    it.each([
      ['=', '4', '4', true],
      ['=', '5', '4', true], // "=" means at least
      ['=', '3', '4', false],
      ['==', '4', '4.0', true],
      ['==', '4', '5', false],
      ['!=', '4', '5', true],
      ['!=', '4', '4', false],
      ['>=', '4', '4', true],
      ['>=', '10', '9', true], // numbers, not text ("10" < "9" as text)
      ['>=', '3', '4', false],
      ['<=', '4', '4', true],
      ['<=', '9', '10', true],
      ['<=', '5', '4', false],
      ['>=', '1e3', '999', true],
      ['<=', '-2', '-1', true],
      ['>=', '2.5', '2.25', true],
    ])('%s: value %s vs %s -> %s', (op, value, operand, expected) => {
      expect(matchExtraSpec(value, `${op} ${operand}`)).toBe(expected);
    });

    it('fails on values or operands that are not numbers', () => {
      expect(matchExtraSpec('abc', '>= 1')).toBe(false);
      expect(matchExtraSpec('1', '>= abc')).toBe(false);
      expect(matchExtraSpec('abc', '!= 1')).toBe(false);
      expect(matchExtraSpec('', '== 0')).toBe(false);
    });

    it('fails without an operand', () => {
      expect(matchExtraSpec('1', '>=')).toBe(false);
      expect(matchExtraSpec('1', '=')).toBe(false);
    });

    it('tolerates extra whitespace', () => {
      expect(matchExtraSpec('8', '  >=   4  ')).toBe(true);
    });
  });

  describe('string operators', () => {
    it.each([
      ['s==', 'abc', 'abc', true],
      ['s==', 'abc', 'abd', false],
      ['s==', '4', '4.0', false], // text, not numbers
      ['s!=', 'abc', 'abd', true],
      ['s!=', 'abc', 'abc', false],
      ['s<', 'abc', 'abd', true],
      ['s<', 'abd', 'abc', false],
      ['s<', '10', '9', true], // text order
      ['s<=', 'abc', 'abc', true],
      ['s<=', 'abd', 'abc', false],
      ['s>', 'abd', 'abc', true],
      ['s>', 'abc', 'abc', false],
      ['s>=', 'abc', 'abc', true],
      ['s>=', 'abb', 'abc', false],
    ])('%s: %s vs %s -> %s', (op, value, operand, expected) => {
      expect(matchExtraSpec(value, `${op} ${operand}`)).toBe(expected);
    });

    it('compares with the first operand only', () => {
      expect(matchExtraSpec('a', 's== a b')).toBe(true);
    });
  });

  describe('<in>', () => {
    it('finds the operand as a substring', () => {
      expect(matchExtraSpec('aes mmx sse2', '<in> mmx')).toBe(true);
      expect(matchExtraSpec('["aes","mmx"]', '<in> aes')).toBe(true);
      expect(matchExtraSpec('aes', '<in> ae')).toBe(true);
      expect(matchExtraSpec('aes', '<in> avx')).toBe(false);
    });

    it('fails without an operand', () => {
      expect(matchExtraSpec('aes', '<in>')).toBe(false);
    });
  });

  describe('<all-in>', () => {
    it('needs every operand in the value', () => {
      expect(matchExtraSpec('aes mmx sse2', '<all-in> aes sse2')).toBe(true);
      expect(matchExtraSpec('aes mmx sse2', '<all-in> aes avx')).toBe(false);
      expect(matchExtraSpec('aes', '<all-in> aes')).toBe(true);
    });

    it('fails without operands', () => {
      expect(matchExtraSpec('aes', '<all-in>')).toBe(false);
    });
  });

  describe('<or>', () => {
    it('matches any alternative exactly', () => {
      expect(matchExtraSpec('v2', '<or> v1 <or> v2 <or> v3')).toBe(true);
      expect(matchExtraSpec('v1', '<or> v1')).toBe(true);
      expect(matchExtraSpec('v3', '<or> v1 <or> v3')).toBe(true);
      expect(matchExtraSpec('v4', '<or> v1 <or> v2')).toBe(false);
      expect(matchExtraSpec('v', '<or> v1 <or> v2')).toBe(false); // no substrings
    });

    it('never matches the separator itself or nothing', () => {
      expect(matchExtraSpec('<or>', '<or> <or>')).toBe(false);
      expect(matchExtraSpec('x', '<or>')).toBe(false);
    });

    it('never matches an absent value', () => {
      expect(matchExtraSpec(null, '<or> a <or> b')).toBe(false);
    });
  });
});

describe('isExtraSpecOperator', () => {
  it('knows Nova operators and nothing else', () => {
    for (const op of ['=', '==', '!=', '>=', '<=', 's==', 's!=', 's<', 's<=', 's>', 's>=']) {
      expect(isExtraSpecOperator(op)).toBe(true);
    }
    for (const op of ['<in>', '<all-in>', '<or>']) {
      expect(isExtraSpecOperator(op)).toBe(true);
    }
    for (const op of ['>', '<', 'in', '', 'S==', 'toString', 'constructor', '__proto__']) {
      expect(isExtraSpecOperator(op)).toBe(false);
    }
  });
});

describe('capabilityText', () => {
  it('renders capability values for matching', () => {
    expect(capabilityText('x')).toBe('x');
    expect(capabilityText(4)).toBe('4');
    expect(capabilityText(true)).toBe('True');
    expect(capabilityText(false)).toBe('False');
    expect(capabilityText(['aes', 'mmx'])).toBe('["aes","mmx"]');
    expect(capabilityText({ a: 1 })).toBe('{"a":1}');
    expect(capabilityText(null)).toBeNull();
    expect(capabilityText(undefined)).toBeNull();
  });
});
