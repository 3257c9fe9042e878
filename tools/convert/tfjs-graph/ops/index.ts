/**
 * @file Every TF op the translator handles, by TF op name. Adding an op = one entry in one of
 * these tables plus its unit test (tests/tools/convert/tfjs-graph/ops-*.test.ts).
 */
import { CONV_OPS } from './conv.ts';
import { ELEMENTWISE_OPS } from './elementwise.ts';
import { MISC_OPS } from './misc.ts';
import { REDUCE_OPS } from './reduce.ts';
import { SHAPE_OPS } from './shape.ts';
import { SLICE_OPS } from './strided-slice.ts';
import type { OpTranslator } from './op-scope.ts';

/** TF op name → translator. Const and Placeholder are handled by the translator itself. */
export const OP_TRANSLATORS: Readonly<Record<string, OpTranslator>> = {
  ...CONV_OPS,
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...SLICE_OPS,
  ...MISC_OPS,
};

/** Sorted names of every supported op, for error messages and reports. */
export const SUPPORTED_OPS: readonly string[] = ['Const', 'Placeholder', ...Object.keys(OP_TRANSLATORS)].sort();
