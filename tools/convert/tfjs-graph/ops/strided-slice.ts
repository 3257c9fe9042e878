/**
 * @file TF StridedSlice with constant begin/end/strides and every mask (begin, end, ellipsis,
 * new-axis, shrink-axis), resolved at conversion time the way TF's ValidateStridedSliceOp
 * builds its dense spec: one ONNX Slice over the dimensions that change, a Squeeze for shrunk
 * axes and an Unsqueeze for new ones. Static output sizes follow TF's index canonicalisation.
 */
import type { OpScope, OpTranslator } from './op-scope.ts';

/** Stand-in for "to the end" in ONNX Slice (clamped by the runtime like Python slicing). */
const FAR = Number.MAX_SAFE_INTEGER;

/** One input dimension of the dense spec. */
interface DenseDim {
  begin: number;
  end: number;
  stride: number;
  beginMasked: boolean;
  endMasked: boolean;
  shrink: boolean;
}

/** The resolved slice: per input dim, plus where new axes go in the output. */
export interface SliceSpec {
  dims: DenseDim[];
  /** Output layout before shrinking: 'new' for inserted axes, else the input dim index. */
  final: (number | 'new' | 'shrink')[];
}

const bit = (mask: number, i: number) => ((mask >> i) & 1) === 1;

/** Builds TF's dense slice spec for an input of rank `rank`. */
export function denseSliceSpec(
  op: OpScope,
  rank: number,
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  masks: { begin: number; end: number; ellipsis: number; newAxis: number; shrink: number },
): SliceSpec {
  let sparseDims = begin.length;
  let ellipsis = masks.ellipsis;
  if (end.length !== sparseDims || strides.length !== sparseDims) op.fail('begin, end and strides differ in length');
  if (ellipsis === 0) {
    ellipsis = 1 << sparseDims; // TF appends an implicit ellipsis
    sparseDims++;
  }
  const ellipsisAt = Math.log2(ellipsis & -ellipsis);
  if ((ellipsis & (ellipsis - 1)) !== 0) op.fail('more than one ellipsis');
  let newAfterEllipsis = 0;
  for (let i = ellipsisAt + 1; i < sparseDims; i++) if (bit(masks.newAxis, i)) newAfterEllipsis++;
  const dims: DenseDim[] = [];
  const final: SliceSpec['final'] = [];
  for (let i = 0; i < sparseDims; i++) {
    if (bit(ellipsis, i)) {
      const next = Math.min(rank - (sparseDims - i) + 1 + newAfterEllipsis, rank);
      while (dims.length < next) {
        final.push(dims.length);
        dims.push({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false });
      }
    } else if (bit(masks.newAxis, i)) {
      final.push('new');
    } else {
      if (dims.length >= rank) op.fail(`slice has more dimensions than the rank-${rank} input`);
      const shrink = bit(masks.shrink, i);
      final.push(shrink ? 'shrink' : dims.length);
      dims.push({
        begin: begin[i]!,
        end: end[i]!,
        stride: strides[i]!,
        beginMasked: bit(masks.begin, i),
        endMasked: bit(masks.end, i),
        shrink,
      });
    }
  }
  while (dims.length < rank) {
    final.push(dims.length);
    dims.push({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false });
  }
  return { dims, final };
}

/** ONNX Slice start/end for one dim, and its static output size (-1 when unknown). */
function resolve(op: OpScope, d: DenseDim, size: number): { start: number; end: number; step: number; out: number } {
  if (d.stride === 0) op.fail('a stride of 0 is invalid');
  if (d.shrink) {
    const b = d.begin < 0 && size >= 0 ? d.begin + size : d.begin;
    if (size >= 0 && (b < 0 || b >= size)) op.fail(`index ${d.begin} is out of range for a dimension of ${size}`);
    return { start: b, end: b === -1 ? FAR : b + 1, step: 1, out: 1 };
  }
  const forward = d.stride > 0;
  const start = d.beginMasked ? (forward ? 0 : FAR) : d.begin;
  const end = d.endMasked ? (forward ? FAR : -FAR) : d.end;
  if (size < 0) return { start, end, step: d.stride, out: -1 };
  // TF's canonicalisation: negative indices count from the end, then clamp to the valid range.
  const range = forward ? [0, size] : [-1, size - 1];
  const canonical = (x: number, masked: boolean, c: 0 | 1) => {
    if (masked) return forward ? range[c]! : range[1 - c]!;
    const fwd = x < 0 ? x + size : x;
    return Math.min(Math.max(fwd, range[0]!), range[1]!);
  };
  const interval = canonical(d.end, d.endMasked, 1) - canonical(d.begin, d.beginMasked, 0);
  const out = (forward ? interval <= 0 : interval >= 0) ? 0 : Math.ceil(interval / d.stride);
  return { start, end, step: d.stride, out };
}

const stridedSlice: OpTranslator = (op) => {
  const x = op.input(0);
  const rank = x.shape.length;
  const spec = denseSliceSpec(
    op,
    rank,
    op.constNumbers(1, 'begin'),
    op.constNumbers(2, 'end'),
    op.constNumbers(3, 'strides'),
    {
      begin: op.attrs.int('begin_mask', 0),
      end: op.attrs.int('end_mask', 0),
      ellipsis: op.attrs.int('ellipsis_mask', 0),
      newAxis: op.attrs.int('new_axis_mask', 0),
      shrink: op.attrs.int('shrink_axis_mask', 0),
    },
  );
  const resolved = spec.dims.map((d, i) => resolve(op, d, x.shape[i]!));
  const g = op.g;
  const changed = spec.dims.flatMap((d, i) =>
    d.shrink || !d.beginMasked || !d.endMasked || d.stride !== 1 ? [i] : [],
  );
  const shrunk = spec.dims.flatMap((d, i) => (d.shrink ? [i] : []));
  const kept = spec.final.filter((f) => f !== 'shrink');
  const newAxes = kept.flatMap((f, i) => (f === 'new' ? [i] : []));
  const shape = kept.map((f) => (f === 'new' ? 1 : resolved[f as number]!.out));
  // The last step carries the node's name.
  const steps = [changed.length > 0, shrunk.length > 0, newAxes.length > 0];
  const last = steps.lastIndexOf(true);
  let value = op.ctx.plain(x);
  if (last < 0) return [op.out(value, x.dtype, shape)];
  const name = (i: number, suffix: string) => (i === last ? op.hint() : op.hint(suffix));
  if (steps[0]) {
    const pick = (f: (r: (typeof resolved)[number]) => number) => changed.map((i) => f(resolved[i]!));
    const starts = g.i64(
      op.hint('starts'),
      pick((r) => r.start),
    );
    const ends = g.i64(
      op.hint('ends'),
      pick((r) => r.end),
    );
    const axes = g.i64(op.hint('axes'), changed);
    const stepsValue = g.i64(
      op.hint('steps'),
      pick((r) => r.step),
    );
    value = g.node('Slice', [value, starts, ends, axes, stepsValue], {}, name(0, 'slice'));
  }
  if (steps[1]) value = g.node('Squeeze', [value, g.i64(op.hint('shrink_axes'), shrunk)], {}, name(1, 'shrink'));
  if (steps[2]) value = g.node('Unsqueeze', [value, g.i64(op.hint('new_axes'), newAxes)], {}, name(2, 'new'));
  return [op.out(value, x.dtype, shape)];
};

/** StridedSlice translator. */
export const SLICE_OPS: Record<string, OpTranslator> = { StridedSlice: stridedSlice };
