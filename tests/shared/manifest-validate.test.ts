import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest as parseWith } from '../../src/shared/manifest-validate.ts';
import { TASKS } from '../../src/features/index.ts';
import { validManifest } from '../helpers/manifest-fixture.ts';
import { UNSAFE_CHARS } from '../helpers/untrusted.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Validation with this app's task contracts, as every client and tool runs it. */
const parseManifest = (json: unknown) => parseWith(json, TASKS);

/** Applies `edit` to a fresh valid manifest and returns the ManifestError it causes. */
function rejection(edit: (m: Json) => void): ManifestError {
  const m = validManifest() as unknown as Json;
  edit(m);
  try {
    parseManifest(m);
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as Error).name).toBe('ManifestError');
    return err as ManifestError;
  }
  throw new Error('manifest was accepted');
}

const det = (m: Json): Json => m.models['face-detector'];
const det1 = (m: Json): Json => m.models['face-detector'].versions['1.0.0'];

describe('parseManifest', () => {
  it('accepts a valid manifest and returns an equal, independent copy', () => {
    const m = validManifest();
    const parsed = parseManifest(m);
    expect(parsed).toEqual(m);
    parsed.models['face-detector']!.stable = '2.0.0';
    expect(m.models['face-detector']!.stable).toBe('1.0.0');
  });

  it('keeps a model of a task this app does not know (published for a newer app), checked for structure only', () => {
    const m = validManifest() as unknown as Json;
    m.models['pose-estimator'] = structuredClone(det(m));
    m.models['pose-estimator'].task = 'pose-estimation';
    m.models['pose-estimator'].versions['1.0.0'].labels = ['nose', 'eye'];
    const parsed = parseManifest(m);
    expect(parsed.models['pose-estimator']!.task).toBe('pose-estimation');
    // Its structure is still checked.
    m.models['pose-estimator'].versions['1.0.0'].sha256 = 'nope';
    expect(() => parseManifest(m)).toThrow(/models\["pose-estimator"\]\.versions\["1\.0\.0"\]\.sha256/);
  });

  it('accepts a manifest without signature, canary or variants', () => {
    const m = validManifest() as unknown as Json;
    delete m.signature;
    delete det(m).canary;
    delete det1(m).variants;
    expect(() => parseManifest(m)).not.toThrow();
  });

  it.each<[string, (m: Json) => void, RegExp]>([
    ['not an object', (m) => Object.keys(m).forEach((k) => delete m[k]), /schema/],
    ['schema 2', (m) => (m.schema = 2), /^invalid manifest: schema must be 1/],
    ['serial 0', (m) => (m.serial = 0), /serial must be a positive integer/],
    ['serial 1.5', (m) => (m.serial = 1.5), /serial must be a positive integer/],
    ['serial as string', (m) => (m.serial = '3'), /serial must be a positive integer/],
    ['published not UTC', (m) => (m.published = '2026-11-21 12:00'), /published must be a UTC timestamp/],
    ['unknown top-level field', (m) => (m.extra = 1), /manifest\.extra is not a schema 1 field/],
    ['bad model id', (m) => (m.models['Face_Detector'] = det(m)), /models\.Face_Detector is not a valid model id/],
    [
      'malformed task',
      (m) => (det(m).task = 'Face Detection'),
      /models\["face-detector"\]\.task is not a valid task id/,
    ],
    [
      'bad semver key',
      (m) => (det(m).versions['1.0'] = det1(m)),
      /versions\["1\.0"\] is not a version of the form X\.Y\.Z/,
    ],
    [
      'stable missing version',
      (m) => (det(m).stable = '3.0.0'),
      /\.stable points at 3\.0\.0, which is not in versions/,
    ],
    ['stable malformed', (m) => (det(m).stable = 'latest'), /\.stable "latest" is not a version/],
    ['canary missing version', (m) => (det(m).canary.version = '9.9.9'), /canary\.version points at 9\.9\.9/],
    ['canary percent 101', (m) => (det(m).canary.percent = 101), /canary\.percent must be between 0 and 100/],
    ['canary percent -1', (m) => (det(m).canary.percent = -1), /canary\.percent must be between 0 and 100/],
    ['canary percent NaN-ish', (m) => (det(m).canary.percent = '10'), /canary\.percent must be a finite number/],
    ['no versions', (m) => (det(m).versions = {}), /versions must list at least one version/],
    ['sha256 uppercase', (m) => (det1(m).sha256 = det1(m).sha256.toUpperCase()), /sha256 must be 64 lowercase hex/],
    ['sha256 short', (m) => (det1(m).sha256 = 'abc'), /sha256 must be 64 lowercase hex/],
    [
      'blob not matching sha',
      (m) => (det1(m).blob = `blobs/sha256-${'0'.repeat(64)}.onnx`),
      /\.blob must be "blobs\/sha256-/,
    ],
    ['blob path traversal', (m) => (det1(m).blob = '../etc/passwd'), /\.blob must be/],
    ['bytes 0', (m) => (det1(m).bytes = 0), /\.bytes must be a positive integer/],
    ['bytes fractional', (m) => (det1(m).bytes = 10.5), /\.bytes must be a positive integer/],
    ['unknown encoding', (m) => (det1(m).encoding = 'int4'), /\.encoding must be one of/],
    ['inputs empty', (m) => (det1(m).inputs = []), /\.inputs must list at least one tensor/],
    ['tensor type', (m) => (det1(m).inputs[0].type = 'float64'), /inputs\[0\]\.type must be one of/],
    [
      'tensor dim negative',
      (m) => (det1(m).inputs[0].dims[2] = -1),
      /inputs\[0\]\.dims\[2\] must be a positive integer or a symbolic name/,
    ],
    ['tensor name missing', (m) => delete det1(m).outputs[0].name, /outputs\[0\]\.name is missing/],
    ['duplicate tensor name', (m) => (det1(m).outputs[1].name = 'boxes'), /outputs\[1\]\.name repeats "boxes"/],
    [
      'contract mismatch',
      (m) => (det1(m).outputs[0].dims = ['n', 5]),
      /do not fit the face-detection contract: output "boxes" dimension 1 is 5/,
    ],
    ['missing probe', (m) => delete det1(m).probe, /\["1\.0\.0"\]\.probe is missing/],
    ['probe image outside probe/', (m) => (det1(m).probe.image = '../secret.png'), /probe\.image must be a PNG path/],
    [
      'probe expects unknown output',
      (m) => (det1(m).probe.expect.landmarks = [1]),
      /probe\.expect\.landmarks is not an output/,
    ],
    [
      'probe value not finite',
      (m) => (det1(m).probe.expect.scores = [null]),
      /probe\.expect\.scores\[0\] must be a finite number/,
    ],
    ['probe expects nothing', (m) => (det1(m).probe.expect = {}), /probe\.expect must name at least one output/],
    ['negative tolerance', (m) => (det1(m).probe.tolerance = -0.1), /tolerance must not be negative/],
    [
      'preprocess size mismatch',
      (m) => (det1(m).preprocess.size = 320),
      /preprocess\.size is 320 but the model input is 416×416/,
    ],
    ['preprocess pad', (m) => (det1(m).preprocess.pad = 'top-left'), /preprocess\.pad must be one of/],
    ['preprocess std zero', (m) => (det1(m).preprocess.std = [1, 0, 1]), /preprocess\.std values must be positive/],
    ['preprocess missing', (m) => delete det1(m).preprocess, /preprocess is missing/],
    ['labels missing', (m) => delete det1(m).labels, /\.labels is missing/],
    ['labels on a detector', (m) => (det1(m).labels = ['face']), /labels do not fit the face-detection contract/],
    [
      'expression labels wrong count',
      (m) => (m.models['face-expression'].versions['1.0.0'].labels = ['happy']),
      /needs 7 labels/,
    ],
    ['source empty', (m) => (det1(m).source = ''), /\.source must be a non-empty string/],
    [
      'variant key',
      (m) => (det1(m).variants['320 uint8'] = det1(m).variants['320-uint8']),
      /variants\["320 uint8"\] is not a valid variant key/,
    ],
    [
      'variant with labels',
      (m) => (det1(m).variants['320-uint8'].labels = null),
      /variants\["320-uint8"\]\.labels is not a schema 1 field/,
    ],
    [
      'variant contract',
      (m) => (det1(m).variants['320-uint8'].inputs[0].dims = [1, 3, 320, 'w']),
      /variants\["320-uint8"\]\.inputs\/outputs do not fit/,
    ],
    ['signature alg', (m) => (m.signature.alg = 'RS256'), /signature\.alg must be one of "ES256"/],
    ['signature not base64', (m) => (m.signature.value = 'not base64!'), /signature\.value must be base64/],
  ])('rejects %s', (_name, edit, message) => {
    expect(rejection(edit).message).toMatch(message);
  });

  it('names the field path in `path`', () => {
    const err = rejection((m) => (det(m).canary.percent = 150));
    expect(err.path).toBe('models["face-detector"].canary.percent');
  });

  it('rejects non-objects outright', () => {
    for (const bad of [null, [], 'manifest', 1]) expect(() => parseManifest(bad)).toThrow(ManifestError);
  });
});

describe('untrusted text in refusals', () => {
  // 2 MB of text wrapped in a right-to-left override and terminal escapes.
  const huge = `\u202e\u001b[2J${'x'.repeat(2_000_000)}\u2066`;

  it.each<[string, (m: Json) => void, RegExp]>([
    [
      'an unknown top-level field',
      (m) => (m[huge] = 1),
      /^invalid manifest: manifest\["\[2Jx+…"\] is not a schema 1 field/,
    ],
    ['a model id', (m) => (m.models[huge] = det(m)), /^invalid manifest: models\["\[2Jx+…"\] is not a valid model id/],
    ['a version key', (m) => (det(m).versions[huge] = det1(m)), /versions\["\[2Jx+…"\] is not a version/],
    ['a field of a version', (m) => (det1(m)[huge] = 1), /\["\[2Jx+…"\] is not a schema 1 field/],
    ['the stable version', (m) => (det(m).stable = huge), /stable "\[2Jx+…" is not a version/],
    ['the canary version', (m) => (det(m).canary.version = huge), /canary\.version "\[2Jx+…" is not a version/],
    ['a schema value', (m) => (m.schema = huge), /schema must be 1 \(got "\[2Jx+…"\)/],
    ['a schema object', (m) => (m.schema = { [huge]: [huge] }), /schema must be 1 \(got an object\)/],
    [
      'a repeated tensor name',
      (m) => det1(m).outputs.push({ ...det1(m).outputs[0], name: huge }, { ...det1(m).outputs[0], name: huge }),
      /outputs\[3\]\.name repeats "\[2Jx+…"/,
    ],
    [
      'a tensor name the task contract misses',
      (m) => (det1(m).outputs[1].name = huge),
      /missing output "scores".*the model's outputs are "boxes", "\[2Jx+…"/,
    ],
    ['a symbolic dimension', (m) => (det1(m).inputs[0].dims[2] = huge), /symbolic \("\[2Jx+…"\)/],
    ['a probe expectation name', (m) => (det1(m).probe.expect[huge] = [1]), /expect\["\[2Jx+…"\] is not an output/],
  ])('%s of 2 MB gives a short reason without control or bidi characters', (_what, edit, message) => {
    const err = rejection(edit);
    expect(err.message).toMatch(message);
    expect(err.message.length).toBeLessThan(400);
    expect(err.message).not.toMatch(UNSAFE_CHARS);
    expect(err.path.length).toBeLessThan(200);
  });

  it('quotes at most 64 characters of a name', () => {
    const err = rejection((m) => (m.models[`Model_${'y'.repeat(100)}`] = det(m)));
    expect(err.message).toContain(`models["Model_${'y'.repeat(58)}…"] is not a valid model id`);
  });
});
