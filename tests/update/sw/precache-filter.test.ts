/**
 * @file Which runtime files the service worker caches on first use: only the WebGPU-capable
 * onnxruntime-web build, never the precached WASM-only one nor anything else.
 */
import { describe, expect, it } from 'vitest';
import { isOnDemandRuntime } from '../../../src/update/sw/precache-filter.ts';

describe('isOnDemandRuntime', () => {
  it('matches the hashed WebGPU runtime .wasm and nothing else', () => {
    const u = (path: string) => new URL(path, 'https://app.example/');
    expect(isOnDemandRuntime(u('assets/ort-wasm-simd-threaded.jsep-MDYUKy93.wasm'))).toBe(true);
    expect(isOnDemandRuntime(u('sub/dir/assets/ort-wasm-simd-threaded.jsep-abc_DEF-1.wasm'))).toBe(true);
    expect(isOnDemandRuntime(u('assets/ort-wasm-simd-threaded-DcHrbrbl.wasm'))).toBe(false);
    expect(isOnDemandRuntime(u('assets/ort-wasm-simd-threaded.jsep-MDYUKy93.wasm.map'))).toBe(false);
    expect(isOnDemandRuntime(u('models/blobs/sha256-00.onnx'))).toBe(false);
  });
});
