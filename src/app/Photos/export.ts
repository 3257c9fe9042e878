/**
 * @file Downloads for one result: the annotated image as PNG (the same drawing as the gallery,
 * at full resolution) and the annotation as JSON, exactly the `npm run annotate --json` entry.
 */
import type { ImageAnnotation } from '../../shared/results.ts';
import { drawOverlay } from '../draw/draw-annotations.ts';
import { annotationJson, overlayFor } from '../feature-views.ts';

/** The file name without its extension. */
export function baseName(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/** Saves `blob` as `name` through a temporary link. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Give the download a moment to start before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Renders the photo with its boxes and labels at full resolution as PNG. */
export async function annotatedPng(photo: Blob, annotation: ImageAnnotation): Promise<Blob> {
  const bitmap = await createImageBitmap(photo, { premultiplyAlpha: 'none' });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('Canvas 2D is unavailable; update the browser to export images.');
    ctx.drawImage(bitmap, 0, 0);
    const scale = bitmap.width / annotation.width;
    drawOverlay(ctx, overlayFor(annotation), { scale, fontPx: Math.max(14, bitmap.width / 60) });
    return await canvas.convertToBlob({ type: 'image/png' });
  } finally {
    bitmap.close();
  }
}

/** Downloads the annotated PNG of one result. */
export async function downloadPng(photo: Blob, annotation: ImageAnnotation): Promise<void> {
  downloadBlob(await annotatedPng(photo, annotation), `${baseName(annotation.file)}.annotated.png`);
}

/** Downloads the JSON of one result. */
export function downloadJson(annotation: ImageAnnotation): void {
  downloadBlob(
    new Blob([annotationJson(annotation)], { type: 'application/json' }),
    `${baseName(annotation.file)}.json`,
  );
}
