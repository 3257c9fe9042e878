/**
 * @file A small, valid schema 1 manifest for validation tests (each test breaks one field).
 * The blob digests are of placeholder strings: validation checks form and consistency, the
 * registry tests check real files.
 */
import { createHash } from 'node:crypto';
import type { Manifest, ModelFile, Preprocess } from '../../src/shared/manifest-types.ts';
import type { TensorSpec } from '../../src/shared/tensor.ts';
import { facePreprocess as preprocessFor } from '../../src/features/faces/preprocess.ts';
import { EXPRESSION_LABELS } from '../../src/features/faces/results.ts';

function file(
  seed: string,
  inputs: TensorSpec[],
  outputs: TensorSpec[],
  expect: Record<string, number[]>,
  image: string,
): ModelFile {
  const sha256 = createHash('sha256').update(seed).digest('hex');
  return {
    blob: `blobs/sha256-${sha256}.onnx`,
    sha256,
    bytes: 1000 + seed.length,
    encoding: 'uint8',
    inputs,
    outputs,
    probe: { image, expect, tolerance: 0.001 },
  };
}

const detIn = (s: number): TensorSpec[] => [{ name: 'image', type: 'float32', dims: [1, 3, s, s] }];
const detOut: TensorSpec[] = [
  { name: 'boxes', type: 'float32', dims: ['n', 4] },
  { name: 'scores', type: 'float32', dims: ['n'] },
];
const facesIn: TensorSpec[] = [{ name: 'faces', type: 'float32', dims: ['b', 3, 112, 112] }];

/** A fresh valid manifest (deep copy every call). */
export function validManifest(): Manifest {
  const detPre: Preprocess = preprocessFor('face-detection', 416);
  return structuredClone({
    schema: 1,
    serial: 3,
    published: '2026-11-21T12:00:00Z',
    models: {
      'face-detector': {
        task: 'face-detection',
        stable: '1.0.0',
        canary: { version: '2.0.0', percent: 10 },
        versions: {
          '1.0.0': {
            ...file(
              'det1',
              detIn(416),
              detOut,
              { boxes: [0.1, 0.2, 0.5, 0.6], scores: [0.9] },
              'probe/face-detection.png',
            ),
            preprocess: detPre,
            labels: null,
            source: 'test',
            variants: {
              '320-uint8': {
                ...file('det1-320', detIn(320), detOut, { scores: [0.8] }, 'probe/face-detection.png'),
                preprocess: preprocessFor('face-detection', 320),
              },
            },
          },
          '2.0.0': {
            ...file('det2', detIn(512), detOut, { scores: [0.95] }, 'probe/face-detection.png'),
            preprocess: preprocessFor('face-detection', 512),
            labels: null,
            source: 'test',
          },
        },
      },
      'face-attributes': {
        task: 'face-attributes',
        stable: '1.0.0',
        versions: {
          '1.0.0': {
            ...file(
              'attr',
              facesIn,
              [
                { name: 'age', type: 'float32', dims: ['b', 1] },
                { name: 'gender', type: 'float32', dims: ['b', 2] },
              ],
              { age: [25.5], gender: [0.1, 0.9] },
              'probe/face-112.png',
            ),
            preprocess: preprocessFor('face-attributes', 112),
            labels: ['male', 'female'],
            source: 'test',
          },
        },
      },
      'face-expression': {
        task: 'face-expression',
        stable: '1.0.0',
        versions: {
          '1.0.0': {
            ...file(
              'expr',
              facesIn,
              [{ name: 'expression', type: 'float32', dims: ['b', 7] }],
              { expression: [1, 0, 0, 0, 0, 0, 0] },
              'probe/face-112.png',
            ),
            preprocess: preprocessFor('face-expression', 112),
            labels: [...EXPRESSION_LABELS],
            source: 'test',
          },
        },
      },
    },
    signature: { alg: 'ES256', keyId: 'dev-1', value: 'MEUCIQDx+/=' },
  } satisfies Manifest);
}
