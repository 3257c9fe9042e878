import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError } from '../../src/shared/canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('is independent of key insertion order', () => {
    const a = { schema: 1, serial: 2, models: { x: { stable: '1.0.0', task: 't' } } };
    const b = { models: { x: { task: 't', stable: '1.0.0' } }, serial: 2, schema: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('matches JSON.parse round trips and JSON.stringify for scalars', () => {
    const value = { s: 'é "q" \n', n: -1.5e-7, t: true, f: false, z: null, big: 12345678901234, arr: [] };
    const text = canonicalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(canonicalJson('a\u2028b')).toBe(JSON.stringify('a\u2028b'));
    expect(canonicalJson(0.1)).toBe('0.1');
  });

  it('drops undefined members like JSON.stringify, writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalJson({ b: 1, B: 2, é: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"é":3}');
  });

  it.each([
    ['NaN', { a: NaN }],
    ['Infinity', [Infinity]],
    ['bigint', { a: 1n }],
    ['function', { f: () => 1 }],
    ['Date', { d: new Date(0) }],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it('refuses cycles but allows shared references', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/refers back/);
  });
});
