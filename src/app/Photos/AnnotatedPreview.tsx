/**
 * @file A photo with its boxes and labels, drawn on a canvas at preview resolution. Decoding
 * uses createImageBitmap (off the main thread); labels are redrawn at a readable size when the
 * card is resized.
 */
import { useEffect, useRef } from 'react';
import type { ImageAnnotation } from '../../shared/results.ts';
import { drawOverlay, fontForDisplay } from '../draw/draw-annotations.ts';
import { countsFor, overlayFor } from '../feature-views.ts';

const PREVIEW_SIDE = 1280;

/** Props: the original file and its annotation. */
export interface AnnotatedPreviewProps {
  file: Blob;
  annotation: ImageAnnotation;
}

/** The annotated preview canvas. */
export function AnnotatedPreview({ file, annotation }: AnnotatedPreviewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let bitmap: ImageBitmap | null = null;
    let cancelled = false;
    const factor = Math.min(1, PREVIEW_SIDE / Math.max(annotation.width, annotation.height));
    const width = Math.max(1, Math.round(annotation.width * factor));
    const height = Math.max(1, Math.round(annotation.height * factor));
    canvas.width = width;
    canvas.height = height;
    const draw = () => {
      const ctx = canvas.getContext('2d');
      if (!ctx || !bitmap) return;
      ctx.drawImage(bitmap, 0, 0, width, height);
      const fontPx = fontForDisplay(width, canvas.clientWidth || width, 13);
      drawOverlay(ctx, overlayFor(annotation), { scale: width / annotation.width, fontPx });
    };
    void createImageBitmap(file, { resizeWidth: width, resizeHeight: height, resizeQuality: 'medium' })
      .then((b) => {
        if (cancelled) return b.close();
        bitmap = b;
        draw();
      })
      .catch(() => undefined);
    const observer = new ResizeObserver(() => draw());
    observer.observe(canvas);
    return () => {
      cancelled = true;
      observer.disconnect();
      bitmap?.close();
    };
  }, [file, annotation]);
  const counts = countsFor(annotation);
  return (
    <canvas
      ref={canvasRef}
      className="card__image"
      role="img"
      aria-label={`${annotation.file}, annotated${counts ? `: ${counts}` : ''}`}
      style={{ aspectRatio: `${annotation.width} / ${annotation.height}` }}
    />
  );
}
