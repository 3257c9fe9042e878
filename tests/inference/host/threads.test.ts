/**
 * @file How many WASM threads a model host asks for.
 */
import { describe, expect, it } from 'vitest';
import { wasmThreads } from '../../../src/inference/host/threads.ts';

describe('wasmThreads', () => {
  it('uses 2 threads from 4 cores when isolated, 1 below and when not isolated', () => {
    expect(wasmThreads(undefined, true, 8)).toBe(2);
    expect(wasmThreads(undefined, true, 4)).toBe(2);
    expect(wasmThreads(undefined, true, 2)).toBe(1);
    expect(wasmThreads(undefined, true, 1)).toBe(1);
    expect(wasmThreads(undefined, false, 8)).toBe(1);
  });
  it('honours a requested count, clamped to the cores', () => {
    expect(wasmThreads(4, true, 2)).toBe(2);
    expect(wasmThreads(2, true, 2)).toBe(2);
    expect(wasmThreads(1, true, 8)).toBe(1);
    expect(wasmThreads(0, true, 2)).toBe(1);
    expect(wasmThreads(2, false, 8)).toBe(1);
  });
});
