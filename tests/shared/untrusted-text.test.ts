/**
 * @file The one helper that makes outside text (manifest fields, model names, headers) safe to
 * quote: short, and without control or bidirectional-formatting characters.
 */
import { describe, expect, it } from 'vitest';
import { QUOTE_CHARS, untrustedText } from '../../src/shared/untrusted-text.ts';
import { UNSAFE_CHARS } from '../helpers/untrusted.ts';

describe('untrustedText', () => {
  it('keeps short plain text as it is', () => {
    expect(untrustedText('face-detector')).toBe('face-detector');
    expect(untrustedText('')).toBe('');
  });

  it('strips control and bidi characters, and shows line breaks as spaces', () => {
    const nasty =
      'a\u0000b\u0007c\u001b[31md\u007fe\u0085f\u200eg\u200fh\u202ai\u202bj\u202ck\u202dl\u202em\u2066n\u2067o\u2068p\u2069q\u061cr\ufeffs';
    expect(untrustedText(nasty)).toBe('abc[31mdefghijklmnopqrs');
    expect(untrustedText('one\ntwo\r\nthree\tfour\u2028five')).toBe('one two  three four five');
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if (UNSAFE_CHARS.test(ch)) expect(untrustedText(`x${ch}y`), `U+${c.toString(16)}`).not.toMatch(UNSAFE_CHARS);
    }
  });

  it('cuts to 64 characters with an ellipsis, never inside a surrogate pair', () => {
    expect(QUOTE_CHARS).toBe(64);
    expect(untrustedText('x'.repeat(64))).toBe('x'.repeat(64));
    expect(untrustedText('x'.repeat(65))).toBe(`${'x'.repeat(64)}…`);
    expect(untrustedText('😀'.repeat(100))).toBe(`${'😀'.repeat(64)}…`);
    expect(untrustedText('abcdef', 3)).toBe('abc…');
    // A lone surrogate (e.g. from a cut elsewhere) is dropped, not shown as garbage.
    expect(untrustedText('a\ud83db')).toBe('ab');
  });

  it('marks a cut even when the visible part is short (text hidden behind invisible characters)', () => {
    expect(untrustedText(`ok${'\u202e'.repeat(2_000_000)}evil`)).toBe('ok…');
  });

  it('reads only a bounded prefix: what follows it never changes the message', () => {
    const head = '\u202e'.repeat(300) + 'y'.repeat(300);
    const quoted = untrustedText(head + 'y'.repeat(2_000_000));
    expect(quoted).toBe(`${'y'.repeat(64)}…`);
    expect(untrustedText(head + '\u0000z'.repeat(1_000_000))).toBe(quoted);
  });
});
