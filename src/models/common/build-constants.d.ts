/**
 * @file Constants the build (vite.config.ts `define`) writes into the app, its workers and its
 * service worker. Declared here, under src/models, because every browser tsconfig includes it.
 */
import type { EcPublicJwk } from './common/manifest-signature.ts';

declare global {
  /** Key id → public key of every key the build trusts to sign the model manifest (tools/lib/trusted-keys.ts). */
  const __HOTLENS_TRUSTED_KEYS__: Record<string, EcPublicJwk>;
  /** Origin patterns besides the app's own that a `?registry=` link may name (HOTLENS_REGISTRY_ORIGINS at build time). */
  const __HOTLENS_REGISTRY_ORIGINS__: readonly string[];
}
