/**
 * @file Where the TF.js graph models hotlens converts come from: @vladmandic/human's `models/`
 * (model.json + .bin) and nsfwjs's `dist/models/` (model.json and base64 weight shards bundled
 * as CommonJS modules: `require()` of `model.min.js` yields the model.json object, of
 * `group1-shardKofN.min.js` the shard's base64 text — what nsfwjs's own JSONHandler decodes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readShards } from '../../weights.ts';
import { graphModelFromMemory, type GraphModel, type GraphModelJson } from '../model-source.ts';

const require = createRequire(import.meta.url);

/** A package's name, version and licence, for provenance sentences. */
export interface PackageInfo {
  name: string;
  version: string;
  license: string;
  dir: string;
}

function packageInfo(dir: string): PackageInfo {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
  };
  return { name: pkg.name, version: pkg.version, license: pkg.license ?? 'unknown licence', dir };
}

/** An installed package's directory. Both packages hide package.json behind `exports`, so walk
 * up from the resolved entry point to the directory whose package.json carries the name. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the directory of package ${name}`);
    dir = parent;
  }
}

/** @vladmandic/human's package (its `models/` hold the graph models). */
export function humanPackage(): PackageInfo {
  return packageInfo(packageDir('@vladmandic/human'));
}

/** nsfwjs's package (`dist/models/` holds its bundled graph models). */
export function nsfwjsPackage(): PackageInfo {
  return packageInfo(packageDir('nsfwjs'));
}

/** A graph model's files as TF.js's `tf.io.fromMemory` takes them: model.json + all weight bytes. */
export interface GraphModelArtifacts {
  json: GraphModelJson;
  weightData: Uint8Array;
  label: string;
}

/** One of Human's graph models by file stem ('centernet', 'blazeface', 'faceres', 'emotion'...), raw. */
export function humanModelArtifacts(stem: string): GraphModelArtifacts {
  const path = join(humanPackage().dir, 'models', `${stem}.json`);
  const json = JSON.parse(readFileSync(path, 'utf8')) as GraphModelJson;
  const bytes = Buffer.concat(readShards(json.weightsManifest, dirname(path)));
  return {
    json,
    weightData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    label: `@vladmandic/human ${stem}`,
  };
}

/** One of Human's graph models, decoded. */
export function readHumanModel(stem: string): GraphModel {
  const { json, weightData, label } = humanModelArtifacts(stem);
  return graphModelFromMemory(json, weightData, label);
}

/** nsfwjs model directories under `dist/models/`. */
export type NsfwjsModelDir = 'mobilenet_v2' | 'mobilenet_v2_mid' | 'inception_v3';

/** One of nsfwjs's bundled graph models, raw: the model.json object and the decoded base64 shards. */
export function nsfwjsModelArtifacts(model: NsfwjsModelDir): GraphModelArtifacts {
  const dir = join(nsfwjsPackage().dir, 'dist', 'models', model);
  const json = require(join(dir, 'model.min.js')) as GraphModelJson;
  const shards = json.weightsManifest.flatMap((group) =>
    group.paths.map((path) => {
      const base64 = require(join(dir, `${path}.min.js`)) as unknown;
      if (typeof base64 !== 'string') throw new Error(`${dir}/${path}.min.js did not export base64 weight data`);
      return Buffer.from(base64, 'base64');
    }),
  );
  const bytes = Buffer.concat(shards);
  return { json, weightData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), label: `nsfwjs ${model}` };
}

/** One of nsfwjs's bundled graph models, decoded. */
export function readNsfwjsModel(model: NsfwjsModelDir): GraphModel {
  const { json, weightData, label } = nsfwjsModelArtifacts(model);
  return graphModelFromMemory(json, weightData, label);
}
