import { describe, expect, it } from 'vitest';
import { compare, isValid, latest, parse } from '../../src/shared/semver.ts';

describe('semver', () => {
  it('parses strict X.Y.Z', () => {
    expect(parse('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parse('0.0.0')).toEqual({ major: 0, minor: 0, patch: 0 });
    expect(parse('10.20.30')).toEqual({ major: 10, minor: 20, patch: 30 });
  });

  it.each([
    '1.2',
    '1.2.3.4',
    'v1.2.3',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-beta',
    '1.2.3+build',
    ' 1.2.3',
    '1.2.3 ',
    '',
    'a.b.c',
    '-1.2.3',
  ])('rejects %j', (v) => {
    expect(parse(v)).toBeNull();
    expect(isValid(v)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isValid(123)).toBe(false);
    expect(isValid(null)).toBe(false);
  });

  it('compares numerically, not lexically', () => {
    expect(compare('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compare('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compare('1.0.1', '1.0.1')).toBe(0);
    expect(compare('1.0.0', '1.0.1')).toBeLessThan(0);
    expect(['1.10.0', '1.2.0', '1.9.9'].sort(compare)).toEqual(['1.2.0', '1.9.9', '1.10.0']);
  });

  it('throws on malformed versions in compare', () => {
    expect(() => compare('1.0', '1.0.0')).toThrow(/X\.Y\.Z/);
  });

  it('finds the latest', () => {
    expect(latest(['1.2.0', '1.10.0', '1.9.0'])).toBe('1.10.0');
    expect(latest([])).toBeNull();
  });
});
