/**
 * @file The slice of `fetch` the update path uses, as a type both the DOM/worker libs and
 * Node satisfy, so the registry client and downloader can be tested with real `Response`
 * objects and no network.
 */

/** The request options the update path sets. */
export interface FetchInit {
  /** `no-cache` revalidates the manifest; `no-store` keeps blobs out of the HTTP cache (IndexedDB holds them). */
  cache?: 'default' | 'no-cache' | 'no-store';
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A fetch function. */
export type FetchLike = (url: string, init: FetchInit) => Promise<Response>;

/** The global fetch, bound (browsers throw "Illegal invocation" for an unbound call). */
export const defaultFetch: FetchLike = (url, init) => globalThis.fetch(url, init);

/** Resolves `path` against the registry folder URL (which must end in "/"). */
export function registryUrl(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : `${base}/`).href;
}
