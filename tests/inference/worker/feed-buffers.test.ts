/**
 * @file Model inputs on their way to a host: an array lent to a feature is sent as it is, once;
 * anything else is copied (the feature may feed it again); buffers a host hands back are lent
 * and copied into again.
 */
import { describe, expect, it } from 'vitest';
import { feedsToSend, lendInputArray, takeBackFeeds } from '../../../src/inference/worker/feed-buffers.ts';
import type { TensorData } from '../../../src/shared/tensor.ts';

const tensor = (data: Float32Array): TensorData => ({ type: 'float32', dims: [data.length], data });

describe('feed buffers', () => {
  it('sends a lent array without a copy, and copies one it sees again', () => {
    const input = lendInputArray(1000);
    input.fill(7);
    const first = feedsToSend({ x: tensor(input) });
    expect(first.feeds.x!.data).toBe(input);
    expect(first.buffers).toEqual([input.buffer]);
    // Sent once: the same array fed again (never, for a feature that follows the contract) is copied.
    const again = feedsToSend({ x: tensor(input) });
    expect(again.feeds.x!.data).not.toBe(input);
    expect(again.buffers[0]).not.toBe(input.buffer);
    expect(Array.from(again.feeds.x!.data as Float32Array)).toEqual(Array.from(input));
  });

  it("copies a feature's own arrays, so it may change them after the run is sent", () => {
    const own = new Float32Array([1, 2, 3]);
    const sent = feedsToSend({ x: tensor(own) });
    own.fill(0);
    expect(Array.from(sent.feeds.x!.data as Float32Array)).toEqual([1, 2, 3]);
    expect(sent.feeds.x!.dims).toEqual([3]);
    expect(sent.buffers).toEqual([sent.feeds.x!.data.buffer]);
  });

  it('lends and copies into the buffers a host handed back', () => {
    const lentOne = lendInputArray(4096);
    const { buffers } = feedsToSend({ x: tensor(lentOne) });
    takeBackFeeds(buffers);
    const next = lendInputArray(4096);
    expect(next.buffer).toBe(buffers[0]);
    const copied = feedsToSend({ x: tensor(new Float32Array(4000)) });
    takeBackFeeds(copied.buffers);
    expect(lendInputArray(4000).buffer).toBe(copied.buffers[0]);
  });
});
