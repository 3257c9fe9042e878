/**
 * @file Where the project lives, so the Node tools find public/models and sources no matter
 * which directory they are started from.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the project root (this file is tools/lib/project-root.ts). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The registry `npm run models` writes and `npm run annotate` reads by default. */
export const DEFAULT_REGISTRY = join(PROJECT_ROOT, 'public', 'models');
