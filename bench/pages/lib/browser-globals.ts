/**
 * @file The few browser globals the bench pages use, typed structurally. The bench is
 * type-checked with the Node project (tsconfig.node.json includes bench/, without DOM or
 * WebWorker libs), so pages reach the browser through this one typed view of `globalThis`
 * instead of lib.dom — the same approach the e2e specs take.
 */

/** An ImageBitmap. */
export interface BitmapLike {
  readonly width: number;
  readonly height: number;
  close(): void;
}

/** The 2D context calls the pages make. */
export interface Context2D {
  drawImage(image: BitmapLike, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}

/** The WebGL calls used to name the renderer. */
export interface WebGlLike {
  getExtension(name: 'WEBGL_debug_renderer_info'): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(p: number): unknown;
  readonly RENDERER: number;
}

/** A canvas (HTMLCanvasElement or OffscreenCanvas). */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(type: '2d', options?: { willReadFrequently?: boolean }): Context2D | null;
  getContext(type: 'webgl2' | 'webgl'): WebGlLike | null;
}

/** A WebGPU adapter, as much as the probe reads. */
export interface GpuAdapterLike {
  info?: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
  /** Older Chromium put the flag on the adapter. */
  isFallbackAdapter?: boolean;
}

/** The globals, window or worker. */
export interface BrowserGlobals {
  createImageBitmap(source: Blob, options?: { premultiplyAlpha?: 'none' | 'default' }): Promise<BitmapLike>;
  OffscreenCanvas: new (width: number, height: number) => CanvasLike;
  document: { createElement(tag: 'canvas'): CanvasLike };
  navigator: {
    hardwareConcurrency: number;
    gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  };
  crossOriginIsolated: boolean;
}

/** `globalThis` seen as a browser page or worker. */
export const browser = globalThis as unknown as BrowserGlobals;

/** Sets a property on `window` (how the runner reaches the page). */
export function exposeOnWindow(name: string, value: unknown): void {
  (globalThis as unknown as Record<string, unknown>)[name] = value;
}
