/**
 * @file The manifest signature check of this build: a verifier over the public keys embedded
 * at build time (`__HOTLENS_TRUSTED_KEYS__`, see vite.config.ts). Every code path that fetches
 * a manifest itself (the service worker's poll, a page's first visit, a page without a service
 * worker) uses this one, so none of them can act on a manifest the others would refuse.
 */
import { createManifestVerifier } from './manifest-signature.ts';

type Verifier = ReturnType<typeof createManifestVerifier>;

let verifier: Verifier | null = null;

/** The verifier for `verifySignature` options (created on first use: WebCrypto keys are imported once). */
export function trustedManifestVerifier(): Verifier {
  verifier ??= createManifestVerifier(__HOTLENS_TRUSTED_KEYS__);
  return verifier;
}
