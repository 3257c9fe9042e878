/**
 * @file Template matching on synthetic frames: a block-textured "face" patch is grabbed, drawn
 * again shifted, scaled, re-lit or replaced, and searched for around its old box. The search
 * steps by whole cells (box width ÷ TEMPLATE_SIDE), so a shift by whole cells is found exactly
 * and any other shift to within a cell; a 6 % zoom picks the matching scale; NCC ignores
 * brightness and contrast; other content scores low; RGBA frames read like RGB ones.
 */
import { describe, expect, it } from 'vitest';
import { iou, type PixelBox } from '../../../src/shared/geometry.ts';
import { grabTemplate, searchTemplate, TEMPLATE_SIDE } from '../../../src/shared/tracking/template-match.ts';
import { boxOf, drawFrame, type FrameSpec, type Patch } from '../../helpers/face-frames.ts';

const W = 400;
const H = 300;
const FACE: Patch = { x: 120, y: 90, size: 96, seed: 7 };
const CELL = FACE.size / TEMPLATE_SIDE; // 4 px

const frame = (patches: Patch[], extra: Partial<FrameSpec> = {}) =>
  drawFrame({ width: W, height: H, patches, ...extra });
const centre = (b: PixelBox) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const shifted = (p: Patch, dx: number, dy: number): Patch => ({ ...p, x: p.x + dx, y: p.y + dy });

describe.each(['flat', 'textured'] as const)('searchTemplate on a %s background', (background) => {
  const template = grabTemplate(frame([FACE], { background }), boxOf(FACE))!;

  it('grabs a zero-mean, unit-length grid of TEMPLATE_SIDE² cells', () => {
    expect(template).not.toBeNull();
    expect(template).toHaveLength(TEMPLATE_SIDE * TEMPLATE_SIDE);
    const sum = template.reduce((s, v) => s + v, 0);
    const sumSq = template.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(sum)).toBeLessThan(1e-4);
    expect(sumSq).toBeCloseTo(1, 4);
  });

  it.each([
    [0, 0],
    [8, -4],
    [-20, 12],
    [32, -32], // the edge of the default radius (8 cells)
  ])('finds a patch moved by whole cells (%i, %i) exactly', (dx, dy) => {
    const truth = shifted(FACE, dx, dy);
    const match = searchTemplate(frame([truth], { background }), template, boxOf(FACE));
    expect(match.score).toBeGreaterThan(0.99);
    expect(match.box.x).toBeCloseTo(truth.x, 6);
    expect(match.box.y).toBeCloseTo(truth.y, 6);
    expect(match.box.width).toBeCloseTo(FACE.size, 6);
    expect(match.box.height).toBeCloseTo(FACE.size, 6);
  });

  it.each([
    [1, 0],
    [2, 2],
    [3, -5],
    [-13, 7],
    [17, -9],
    [30, 30],
    [-31, 2],
  ])('finds a patch moved by (%i, %i) px to within one cell', (dx, dy) => {
    const truth = shifted(FACE, dx, dy);
    const match = searchTemplate(frame([truth], { background }), template, boxOf(FACE));
    const found = centre(match.box);
    const want = centre(boxOf(truth));
    expect(Math.abs(found.x - want.x)).toBeLessThanOrEqual(CELL);
    expect(Math.abs(found.y - want.y)).toBeLessThanOrEqual(CELL);
    expect(Math.abs(match.box.width / FACE.size - 1)).toBeLessThanOrEqual(0.06 + 1e-9);
    expect(iou(match.box, boxOf(truth))).toBeGreaterThan(0.8);
    expect(match.score).toBeGreaterThan(0.8);
  });

  it('looks no further than `radius` cells', () => {
    const truth = shifted(FACE, 20, -16); // 5 and 4 cells away
    const image = frame([truth], { background });
    const near = searchTemplate(image, template, boxOf(FACE), { radius: 2 });
    expect(near.score).toBeLessThan(0.5);
    // The best window it had: at most 2 cells (of the largest scale) from where it looked.
    const from = centre(boxOf(FACE));
    const to = centre(near.box);
    expect(Math.abs(to.x - from.x)).toBeLessThanOrEqual(2 * CELL * 1.06 + 1e-9);
    expect(Math.abs(to.y - from.y)).toBeLessThanOrEqual(2 * CELL * 1.06 + 1e-9);
    const wide = searchTemplate(image, template, boxOf(FACE), { radius: 8 });
    expect(wide.score).toBeGreaterThan(0.99);
    expect(wide.box).toMatchObject({ x: expect.closeTo(truth.x, 6), y: expect.closeTo(truth.y, 6) });
  });

  it.each([0.94, 1.06])('picks the scale of a patch zoomed by %f', (scale) => {
    const size = FACE.size * scale;
    // Zoomed about its centre and moved a little.
    const truth: Patch = {
      ...FACE,
      x: FACE.x + (FACE.size - size) / 2 + 5,
      y: FACE.y + (FACE.size - size) / 2 - 3,
      size,
    };
    const image = frame([truth], { background });
    const match = searchTemplate(image, template, boxOf(FACE));
    expect(match.box.width).toBeCloseTo(size, 6);
    expect(match.box.height).toBeCloseTo(size, 6);
    const found = centre(match.box);
    const want = centre(boxOf(truth));
    expect(Math.abs(found.x - want.x)).toBeLessThanOrEqual(CELL);
    expect(Math.abs(found.y - want.y)).toBeLessThanOrEqual(CELL);
    // The zoomed scale matches better than the unzoomed one would.
    const unzoomed = searchTemplate(image, template, boxOf(FACE), { scales: [1] });
    expect(match.score).toBeGreaterThan(unzoomed.score);
    expect(match.score).toBeGreaterThan(0.85);
  });

  it.each([8, 9, 12, 100])('scores another face (seed %i) low', (seed) => {
    const match = searchTemplate(frame([{ ...FACE, seed }], { background }), template, boxOf(FACE));
    expect(match.score).toBeLessThan(0.5);
  });

  it('scores a frame without the face low', () => {
    const match = searchTemplate(frame([], { background: 'textured' }), template, boxOf(FACE));
    expect(match.score).toBeLessThan(0.5);
  });

  it.each([
    [0.6, 60], // darker, flatter
    [1.2, -20], // more contrast
    [1, 40], // brighter
  ])('keeps the score high when pixels become %f·v + %i', (gain, offset) => {
    const truth = shifted(FACE, 8, -4);
    const match = searchTemplate(frame([truth], { background, gain, offset }), template, boxOf(FACE));
    expect(match.score).toBeGreaterThan(0.9);
    expect(match.box.x).toBeCloseTo(truth.x, 6);
    expect(match.box.y).toBeCloseTo(truth.y, 6);
  });
});

describe('grabTemplate', () => {
  it('returns null for a flat box and an empty box', () => {
    const image = frame([FACE]);
    expect(grabTemplate(image, { x: 10, y: 200, width: 80, height: 80 })).toBeNull();
    expect(grabTemplate(image, { ...boxOf(FACE), width: 0 })).toBeNull();
    expect(grabTemplate(image, { ...boxOf(FACE), height: -5 })).toBeNull();
  });

  it('returns null for a patch within ±2 grey levels, and a template for a faint but real one', () => {
    // The blocks span 40…200; a gain of 0.02 leaves ±1.6 levels, 0.08 ±6.4.
    const flat = frame([FACE], { gain: 0.02, offset: 128 - 120 * 0.02 });
    expect(grabTemplate(flat, boxOf(FACE))).toBeNull();
    const faint = frame([FACE], { gain: 0.08, offset: 128 - 120 * 0.08 });
    const template = grabTemplate(faint, boxOf(FACE));
    expect(template).not.toBeNull();
    const match = searchTemplate(frame([shifted(FACE, -12, 4)]), template!, boxOf(FACE));
    expect(match.score).toBeGreaterThan(0.9);
    expect(match.box.x).toBeCloseTo(FACE.x - 12, 6);
  });

  it('reads RGBA frames like RGB ones (alpha ignored)', () => {
    const rgb = frame([FACE], { background: 'textured' });
    const rgba = frame([FACE], { background: 'textured', channels: 4 });
    expect(rgba.channels).toBe(4);
    const template = grabTemplate(rgba, boxOf(FACE));
    expect(template).toEqual(grabTemplate(rgb, boxOf(FACE)));

    const truth = shifted(FACE, -13, 7);
    const inRgb = searchTemplate(frame([truth], { background: 'textured' }), template!, boxOf(FACE));
    const inRgba = searchTemplate(frame([truth], { background: 'textured', channels: 4 }), template!, boxOf(FACE));
    expect(inRgba).toEqual(inRgb);
    expect(inRgba.score).toBeGreaterThan(0.8);
  });
});
