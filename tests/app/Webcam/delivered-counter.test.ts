/**
 * @file Counting delivered camera frames from requestVideoFrameCallback's cumulative
 * `presentedFrames`: the first callback, coalesced frames, resets, restarts and missing metadata.
 */
import { describe, expect, it } from 'vitest';
import { DeliveredCounter } from '../../../src/app/Webcam/delivered-counter.ts';

describe('DeliveredCounter', () => {
  it('counts the first callback as its own frame, then the increase of presentedFrames', () => {
    const c = new DeliveredCounter();
    // The video played before the loop started: 120 frames are not the loop's.
    expect(c.next(120)).toBe(1);
    expect(c.next(121)).toBe(1);
    expect(c.next(122)).toBe(1);
    expect(c.total).toBe(3);
  });

  it('counts frames the browser presented between two callbacks', () => {
    const c = new DeliveredCounter();
    expect([c.next(10), c.next(11), c.next(14), c.next(15)]).toEqual([1, 1, 3, 1]);
    expect(c.total).toBe(6); // 10..15 presented since the loop started
  });

  it('counts at least one frame per callback', () => {
    const c = new DeliveredCounter();
    c.next(5);
    expect(c.next(5)).toBe(1);
    expect(c.next(6)).toBe(1);
    expect(c.total).toBe(3);
  });

  it('takes a lower value (a reset element, a new stream) as a new baseline', () => {
    const c = new DeliveredCounter();
    c.next(500);
    c.next(502);
    expect(c.next(3)).toBe(1);
    expect(c.next(7)).toBe(4);
    expect(c.total).toBe(1 + 2 + 1 + 4);
  });

  it('counts one per callback without metadata, and starts over when it comes back', () => {
    const c = new DeliveredCounter();
    expect(c.next()).toBe(1);
    expect(c.next(undefined)).toBe(1);
    expect(c.next(Number.NaN)).toBe(1);
    expect(c.next(40)).toBe(1); // a new baseline: frames before it were counted per callback
    expect(c.next(42)).toBe(2);
    expect(c.next()).toBe(1);
    expect(c.next(60)).toBe(1); // not 18: the callback without metadata broke the chain
    expect(c.total).toBe(8);
  });

  it('does not count frames presented while the loop was stopped', () => {
    const c = new DeliveredCounter();
    c.next(1);
    c.next(2);
    c.restart();
    expect(c.next(300)).toBe(1);
    expect(c.next(301)).toBe(1);
    expect(c.total).toBe(4);
  });
});
