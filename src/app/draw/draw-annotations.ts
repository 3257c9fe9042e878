/**
 * @file Draws boxes and labels on a 2D canvas: the webcam overlay, the gallery previews and the
 * exported PNG all use this, so what is downloaded is what was shown.
 */
import type { FaceAnnotation } from '../../shared/face-results.ts';
import { faceLabel, isEstimated } from './face-label.ts';
import { placeLabels } from './place-label.ts';

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** How result coordinates map to the canvas and how large text is. */
export interface DrawOptions {
  /** Canvas pixels per result pixel (canvas size / image size). */
  scale: number;
  /** Label font size in canvas pixels. */
  fontPx: number;
}

const PALETTE = ['#38bdf8', '#f472b6', '#a3e635', '#fbbf24', '#c084fc', '#34d399', '#fb7185', '#60a5fa'];
const LOW_QUALITY = '#94a3b8';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Box colour for the i-th face (grey for faces without estimates). */
export function faceColour(face: FaceAnnotation, i: number): string {
  return isEstimated(face) ? PALETTE[i % PALETTE.length]! : LOW_QUALITY;
}

/** A readable label size for a canvas shown `displayWidth` CSS pixels wide. */
export function fontForDisplay(canvasWidth: number, displayWidth: number, cssPx = 14): number {
  return Math.max(8, (cssPx * canvasWidth) / Math.max(1, displayWidth));
}

/** Draws every face's box and label; labels avoid covering faces. */
export function drawAnnotations(ctx: Ctx2D, faces: readonly FaceAnnotation[], opts: DrawOptions): void {
  const { scale, fontPx } = opts;
  const canvas = { width: ctx.canvas.width, height: ctx.canvas.height };
  const line = Math.max(1.5, fontPx / 7);
  const padX = fontPx * 0.45;
  const padY = fontPx * 0.3;
  ctx.save();
  ctx.font = `600 ${fontPx}px ${FONT}`;
  ctx.textBaseline = 'middle';
  const boxes = faces.map((f) => ({
    x: f.box.x * scale,
    y: f.box.y * scale,
    width: f.box.width * scale,
    height: f.box.height * scale,
  }));
  const texts = faces.map((f, i) => faceLabel(f, i));
  const sizes = texts.map((t) => ({ width: ctx.measureText(t).width + 2 * padX, height: fontPx + 2 * padY }));
  const spots = placeLabels(boxes, sizes, canvas, line);
  faces.forEach((face, i) => {
    const box = boxes[i]!;
    const colour = faceColour(face, i);
    ctx.lineWidth = line;
    ctx.strokeStyle = colour;
    ctx.setLineDash(isEstimated(face) ? [] : [line * 3, line * 2]);
    ctx.strokeRect(box.x, box.y, box.width, box.height);
  });
  ctx.setLineDash([]);
  faces.forEach((face, i) => {
    const spot = spots[i]!;
    ctx.fillStyle = 'rgba(15, 23, 42, 0.82)';
    ctx.fillRect(spot.x, spot.y, spot.width, spot.height);
    ctx.fillStyle = faceColour(face, i);
    ctx.fillRect(spot.x, spot.y, Math.max(2, line), spot.height);
    ctx.fillStyle = '#f8fafc';
    ctx.fillText(texts[i]!, spot.x + padX, spot.y + spot.height / 2);
  });
  ctx.restore();
}
