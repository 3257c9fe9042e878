/**
 * @file A photo with its boxes and labels. The photo is an `<img>` of the file itself, so the
 * browser decodes it at the size it is shown (a JPEG straight to a quarter or half of its
 * pixels, on its own image threads) and may drop the pixels of cards scrolled out of view; a
 * full-size decode per card cost as much CPU as the photo's analysis and slowed a batch by a
 * third. The boxes and labels are drawn on a canvas laid over it at the displayed size (times
 * the device pixel ratio), redrawn when the card is resized, so labels stay readable.
 */
import { useEffect, useRef } from 'react';
import type { ImageAnnotation } from '../../shared/results.ts';
import { drawOverlay, fontForDisplay } from '../draw/draw-annotations.ts';
import { countsFor, overlayFor } from '../feature-views.ts';

/** Props: the original file and its annotation. */
export interface AnnotatedPreviewProps {
  file: Blob;
  annotation: ImageAnnotation;
}

/** Draws the annotation on `canvas`, sized to where it is shown. */
function drawBoxes(canvas: HTMLCanvasElement, annotation: ImageAnnotation): void {
  const ratio = globalThis.devicePixelRatio || 1;
  const shownWidth = canvas.clientWidth;
  if (shownWidth === 0) return;
  const width = Math.max(1, Math.round(shownWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, width, height);
  drawOverlay(ctx, overlayFor(annotation), {
    scale: width / annotation.width,
    fontPx: fontForDisplay(width, shownWidth, 13),
  });
}

/** The photo with its annotation laid over it. */
export function AnnotatedPreview({ file, annotation }: AnnotatedPreviewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const photoRef = useRef<HTMLImageElement>(null);

  useEffect(() => {
    const photo = photoRef.current;
    if (!photo) return;
    const url = URL.createObjectURL(file);
    photo.src = url;
    return () => {
      photo.removeAttribute('src');
      URL.revokeObjectURL(url);
    };
  }, [file]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    // The observer's first report (once the canvas is laid out) draws the boxes.
    const observer = new ResizeObserver(() => drawBoxes(canvas, annotation));
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [annotation]);

  const counts = countsFor(annotation);
  return (
    <div
      className="card__image"
      role="img"
      aria-label={`${annotation.file}, annotated${counts ? `: ${counts}` : ''}`}
      style={{ aspectRatio: `${annotation.width} / ${annotation.height}` }}
    >
      <img ref={photoRef} className="card__photo" alt="" decoding="async" />
      <canvas ref={canvasRef} className="card__overlay" aria-hidden="true" />
    </div>
  );
}
