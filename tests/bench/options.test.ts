/**
 * @file `npm run bench` options: the defaults a plain run uses, `--only` merging into the last
 * results, and `--js-flags`, the diagnosis switch that must never pass for a normal run.
 */
import { describe, expect, it } from 'vitest';
import { parseOptions, SECTIONS } from '../../bench/lib/options.ts';

describe('bench options', () => {
  it('runs every section with the default repetitions and no browser flags', () => {
    const o = parseOptions([]);
    if (o === 'help') throw new Error('unexpected help');
    expect([...o.only]).toEqual([...SECTIONS]);
    expect(o).toMatchObject({
      swaps: 10,
      memorySwaps: 50,
      webcamSeconds: 30,
      merge: false,
      quick: false,
      jsFlags: null,
    });
  });

  it('takes the webcam section’s steady-state seconds and refuses a non-positive one', () => {
    expect(parseOptions(['--only', 'webcam', '--webcam-seconds', '12'])).toMatchObject({ webcamSeconds: 12 });
    expect(() => parseOptions(['--webcam-seconds', '0'])).toThrow(/--webcam-seconds must be a positive integer/);
  });

  it('merges an --only run into the last results unless told not to', () => {
    const o = parseOptions(['--only', 'swap,memory']);
    if (o === 'help') throw new Error('unexpected help');
    expect([...o.only]).toEqual(['swap', 'memory']);
    expect(o.merge).toBe(true);
    expect(parseOptions(['--only', 'swap', '--no-merge'])).toMatchObject({ merge: false });
  });

  it('takes V8 flags for a diagnosis, and ignores an empty value', () => {
    expect(parseOptions(['--js-flags=--no-wasm-dynamic-tiering'])).toMatchObject({
      jsFlags: '--no-wasm-dynamic-tiering',
    });
    expect(parseOptions(['--js-flags= '])).toMatchObject({ jsFlags: null });
  });

  it('refuses an unknown section with the list of known ones', () => {
    expect(() => parseOptions(['--only', 'speed'])).toThrow(/unknown section "speed".*models/);
  });
});
