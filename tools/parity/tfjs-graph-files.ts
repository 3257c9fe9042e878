/**
 * @file TF.js graph models read straight from disk, with no network and no tfjs-node: Node's
 * fetch cannot open file:// URLs and the only TF.js file:// loader lives in tfjs-node (whose
 * native download fails here). One IO handler serves both uses: handed to `loadGraphModel`
 * directly, or registered as a load router so a library that builds its own `file://` URLs
 * (Human's `modelBasePath`) finds it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TfjsCore from '@tensorflow/tfjs-core';

type TfIo = typeof TfjsCore.io;
type ModelJSON = TfjsCore.io.ModelJSON;

/** An IO handler that loads `model.json` at `jsonPath` and the weight shards it lists beside it. */
export function graphModelFromFile(io: TfIo, jsonPath: string): TfjsCore.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJSON;
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const shard of group.paths) {
            const bytes = await readFile(join(dirname(jsonPath), shard));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
          }
        }
        return [io.getWeightSpecs(manifest), io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

const registered = new WeakSet<TfIo>();

/** Lets `loadGraphModel('file:///abs/model.json')` (and anything built on it) read from disk. Idempotent. */
export function registerFileLoader(io: TfIo): void {
  if (registered.has(io)) return;
  registered.add(io);
  const router = (url: string | string[]): TfjsCore.io.IOHandler | null => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== 'string' || !u.startsWith('file://')) return null;
    return graphModelFromFile(io, fileURLToPath(u));
  };
  // Routers decline a URL by returning null (tfjs-core router_registry.ts); the IORouter type omits it.
  io.registerLoadRouter(router as Parameters<TfIo['registerLoadRouter']>[0]);
}
