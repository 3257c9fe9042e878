/**
 * @file Draws the features' overlays (boxes and labels) on a 2D canvas: the webcam overlay, the
 * gallery previews and the exported PNG all use this, so what is downloaded is what was shown.
 * What to draw comes from each feature (`overlay(result)`); this module only renders it.
 */
import type { OverlayBox } from '../../shared/feature.ts';
import { placeLabels } from './place-label.ts';

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** How result coordinates map to the canvas and how large text is. */
export interface DrawOptions {
  /** Canvas pixels per result pixel (canvas size / image size). */
  scale: number;
  /** Label font size in canvas pixels. */
  fontPx: number;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** A readable label size for a canvas shown `displayWidth` CSS pixels wide. */
export function fontForDisplay(canvasWidth: number, displayWidth: number, cssPx = 14): number {
  return Math.max(8, (cssPx * canvasWidth) / Math.max(1, displayWidth));
}

/** Draws every box and its label; labels avoid covering the boxes that ask for it. */
export function drawOverlay(ctx: Ctx2D, items: readonly OverlayBox[], opts: DrawOptions): void {
  const { scale, fontPx } = opts;
  const canvas = { width: ctx.canvas.width, height: ctx.canvas.height };
  const line = Math.max(1.5, fontPx / 7);
  const padX = fontPx * 0.45;
  const padY = fontPx * 0.3;
  ctx.save();
  ctx.font = `600 ${fontPx}px ${FONT}`;
  ctx.textBaseline = 'middle';
  const boxes = items.map(({ box }) => ({
    x: box.x * scale,
    y: box.y * scale,
    width: box.width * scale,
    height: box.height * scale,
  }));
  const sizes = items.map((it) => ({ width: ctx.measureText(it.label).width + 2 * padX, height: fontPx + 2 * padY }));
  const spots = placeLabels(
    boxes,
    sizes,
    canvas,
    line,
    items.map((it) => it.keepClear ?? false),
  );
  items.forEach((item, i) => {
    const box = boxes[i]!;
    ctx.lineWidth = line;
    ctx.strokeStyle = item.colour;
    ctx.setLineDash(item.dashed ? [line * 3, line * 2] : []);
    ctx.strokeRect(box.x, box.y, box.width, box.height);
  });
  ctx.setLineDash([]);
  items.forEach((item, i) => {
    const spot = spots[i]!;
    ctx.fillStyle = 'rgba(15, 23, 42, 0.82)';
    ctx.fillRect(spot.x, spot.y, spot.width, spot.height);
    ctx.fillStyle = item.colour;
    ctx.fillRect(spot.x, spot.y, Math.max(2, line), spot.height);
    ctx.fillStyle = '#f8fafc';
    ctx.fillText(item.label, spot.x + padX, spot.y + spot.height / 2);
  });
  ctx.restore();
}
