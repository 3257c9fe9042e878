/**
 * @file Face crops as the attribute and expression models want them, cut the way their
 * manifest entry's `preprocess.crop` says (manifest-types.ts {@link BoxCrop}), so a swap between
 * generations changes the crop without any code keyed on a version:
 *
 * - `pad-square` (face-api, the default): the box clipped and floored, padded to a square,
 *   resized ({@link cropSquares});
 * - `crop-and-resize` (Human): the box enlarged and squared about its centre, corners rounded,
 *   sampled at `side` px with TF crop_and_resize (black beyond the image), then resized to the
 *   model's side in the `unit` range (tf-kernels.ts; bit-identical to Human's tensors).
 *
 * One {@link FaceCropper} serves one image: models whose crops agree share the work (face-api's
 * two nets share one tensor; Human's share the 256-px samples and differ only in the resize).
 */
import type { PixelBox } from '../../shared/geometry.ts';
import type { RgbImage } from '../../shared/image.ts';
import type { BoxCrop, EnlargedSquareCrop } from '../../shared/manifest-types.ts';
import { clipBox, cropSquares } from '../../shared/pipeline/image-ops.ts';
import { cropAndResize, mapF32, resizeBilinear, writePlanes, type Nhwc } from '../../shared/pipeline/tf-kernels.ts';
import type { TensorData } from '../../shared/tensor.ts';

/** face-api's crop: what a model without a `preprocess.crop` gets. */
export const PAD_SQUARE: BoxCrop = { method: 'pad-square' };

/** Corners [x1, y1, x2, y2] of Human's square for `box`: enlarged about its centre, squared, rounded. */
export function enlargedSquare(
  box: PixelBox,
  crop: Pick<EnlargedSquareCrop, 'enlarge'>,
): [number, number, number, number] {
  // Human's enlargeBox then squarifyBox (facemeshutil.ts), same arithmetic in the same order.
  const [sx, sy, ex, ey] = [box.x, box.y, box.x + box.width, box.y + box.height];
  let cx = sx + (ex - sx) / 2;
  let cy = sy + (ey - sy) / 2;
  const hx = (crop.enlarge * Math.abs(ex - sx)) / 2;
  const hy = (crop.enlarge * Math.abs(ey - sy)) / 2;
  const [esx, esy, eex, eey] = [cx - hx, cy - hy, cx + hx, cy + hy];
  cx = esx + (eex - esx) / 2;
  cy = esy + (eey - esy) / 2;
  const half = Math.max(Math.abs(eex - esx), Math.abs(eey - esy)) / 2;
  return [Math.round(cx - half), Math.round(cy - half), Math.round(cx + half), Math.round(cy + half)];
}

/** The region each crop covers, in the image's pixels (it may extend past the image for `crop-and-resize`). */
export function cropRegion(img: RgbImage, box: PixelBox, crop: BoxCrop = PAD_SQUARE): PixelBox {
  if (crop.method === 'pad-square') return clipBox(box, img.width, img.height);
  const [x1, y1, x2, y2] = enlargedSquare(box, crop);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** Human's crop of one box: sampled at `crop.side`, values ÷ unit (float32). */
function sampleEnlarged(img: RgbImage, box: PixelBox, crop: EnlargedSquareCrop): Nhwc {
  const [x1, y1, x2, y2] = enlargedSquare(box, crop);
  const sampled = cropAndResize(
    img,
    [y1 / img.height, x1 / img.width, y2 / img.height, x2 / img.width],
    crop.side,
    3,
    crop.fill,
  );
  return { ...sampled, data: mapF32(sampled.data, (v) => v / crop.unit) };
}

/** The crops of one image's face boxes, per model input. */
export class FaceCropper {
  private readonly samples = new Map<string, Nhwc[]>();
  private readonly tensors = new Map<string, TensorData>();

  constructor(
    private readonly img: RgbImage,
    private readonly boxes: readonly PixelBox[],
  ) {}

  /** float32 [b,3,size,size], RGB in the 0..255 range, one crop per box in box order. */
  crops(size: number, crop: BoxCrop = PAD_SQUARE): TensorData {
    const key = `${size}|${JSON.stringify(crop)}`;
    let tensor = this.tensors.get(key);
    if (!tensor) {
      tensor = crop.method === 'pad-square' ? cropSquares(this.img, this.boxes, size) : this.enlarged(size, crop);
      this.tensors.set(key, tensor);
    }
    return tensor;
  }

  private enlarged(size: number, crop: EnlargedSquareCrop): TensorData {
    const key = JSON.stringify(crop);
    let sampled = this.samples.get(key);
    if (!sampled) {
      sampled = this.boxes.map((b) => sampleEnlarged(this.img, b, crop));
      this.samples.set(key, sampled);
    }
    const per = 3 * size * size;
    const data = new Float32Array(this.boxes.length * per);
    sampled.forEach((s, i) => {
      const r = s.width === size && s.height === size ? s : resizeBilinear(s, size, size);
      writePlanes(r, data, i * per, crop.unit);
    });
    return { type: 'float32', dims: [this.boxes.length, 3, size, size], data };
  }
}
