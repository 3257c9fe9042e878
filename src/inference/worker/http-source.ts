/**
 * @file The registry over HTTP, same origin: the manifest is revalidated on every start
 * (`cache: 'no-cache'`, a 304 when unchanged), blobs are content-addressed and immutable so the
 * HTTP cache may serve them. The later IndexedDB cache replaces this {@link ModelSource}.
 */
import { parseManifest } from '../../shared/manifest-validate.ts';
import { ModelLoadError } from '../../shared/errors.ts';
import type { ModelSource } from './model-loader.ts';

async function readBody(res: Response, total: number, onBytes: (loaded: number, total: number) => void) {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onBytes(loaded, Math.max(total, loaded));
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Reads the registry at `registryUrl` (a directory URL ending in '/') over HTTP. */
export function httpModelSource(registryUrl: string): ModelSource {
  const base = new URL(registryUrl);
  return {
    async manifest() {
      const url = new URL('manifest.json', base);
      // no-cache: revalidate every start so a newly published manifest is seen (304 when unchanged).
      const res = await fetch(url, { cache: 'no-cache' });
      if (!res.ok) throw new ModelLoadError('the model manifest', `${url.pathname} answered HTTP ${res.status}`);
      try {
        return parseManifest(await res.json());
      } catch (err) {
        throw new ModelLoadError('the model manifest', (err as Error).message);
      }
    },
    async blob(file, onBytes) {
      const url = new URL(file.blob, base);
      // Blobs are content-addressed and immutable: the HTTP cache may serve them as is.
      const res = await fetch(url);
      if (!res.ok) throw new ModelLoadError(file.blob, `HTTP ${res.status}`);
      return readBody(res, file.bytes, onBytes);
    },
    async asset(path) {
      const res = await fetch(new URL(path, base));
      if (!res.ok) throw new ModelLoadError(path, `HTTP ${res.status}`);
      return res.blob();
    },
  };
}
