/**
 * @file The function-level checks of the face models: each task's probe image (made by the
 * project from a face-api sample photo, as a lossless PNG) and how it becomes model inputs.
 * The registry tools compute the expected outputs with these same feeds.
 */
import type { ProbeRecipe } from '../../shared/feature.ts';
import type { RgbImage } from '../../shared/image.ts';
import type { TensorSpec } from '../../shared/tensor.ts';
import { squareInputSize } from '../../shared/tasks.ts';
import { cropSquares, letterbox } from '../../shared/pipeline/image-ops.ts';
import { ModelSignatureError } from '../../shared/pipeline/errors.ts';

const SAMPLE2 = { package: '@vladmandic/face-api', path: 'demo/sample2.jpg' };

function faceCropFeeds(image: RgbImage, model: { inputs: readonly TensorSpec[] }) {
  const input = model.inputs[0];
  if (!input) throw new ModelSignatureError('the model declares no inputs');
  const size = input.dims[2];
  if (typeof size !== 'number') throw new ModelSignatureError(`input "${input.name}" has no fixed size`);
  // The whole probe image is the face crop: a 112×112 probe passes through unresampled.
  return { [input.name]: cropSquares(image, [{ x: 0, y: 0, width: image.width, height: image.height }], size) };
}

// sample2.jpg (1920×1367) has one face; face-detector 1.0.0 boxes it at x 1403, y 173,
// 277×264 px. The detector probe is a 600 px square around it scaled to 160 px (the face
// fills ~46 %: every published detector, tiny at 224/320/416 and SSD 512, finds it with
// score ≥ 0.67; a tighter 432 px square was missed at 320). The crop is the square the
// attribute nets would see.
const FACE_112: Omit<ProbeRecipe, 'feeds'> = {
  image: 'probe/face-112.png',
  source: { photo: SAMPLE2, region: { left: 1403, top: 167, width: 277, height: 277 }, size: 112 },
};

/** Probe per face task. */
export const FACE_PROBES: Readonly<Record<string, ProbeRecipe>> = {
  'face-detection': {
    image: 'probe/face-detection.png',
    source: { photo: SAMPLE2, region: { left: 1250, top: 20, width: 600, height: 600 }, size: 160 },
    feeds(image, model) {
      const input = model.inputs[0];
      const size = squareInputSize(model.inputs);
      if (!input || size === null) throw new ModelSignatureError('the detector input has no fixed square size');
      return { [input.name]: letterbox(image, size) };
    },
    usable: (outputs) =>
      (outputs.scores?.data.length ?? 0) === 0
        ? ['the detector finds no face in the probe image, so the probe could not catch a broken model']
        : [],
  },
  'face-attributes': { ...FACE_112, feeds: faceCropFeeds },
  'face-expression': { ...FACE_112, feeds: faceCropFeeds },
};
