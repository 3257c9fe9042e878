/**
 * @file TF's window geometry (convolutions, pooling) as ONNX wants it: output size and the
 * explicit begin/end pads of one spatial axis. TF 'SAME' pads `total = max((out − 1)·stride +
 * effective kernel − in, 0)` with the odd pixel at the end (bottom/right); writing the pads out
 * keeps the graph self-evident for every runtime instead of relying on auto_pad. Shared by the
 * face-api converter and the TF.js graph translator.
 */

/** Output size and pads of one spatial axis. */
export interface AxisGeometry {
  out: number;
  begin: number;
  end: number;
}

/** TF 'SAME' on one axis; `dilation` widens the kernel to (kernel − 1)·dilation + 1. */
export function samePadding(inSize: number, kernel: number, stride: number, dilation = 1): AxisGeometry {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const begin = Math.floor(total / 2);
  return { out, begin, end: total - begin };
}

/** TF 'VALID' (or explicit pads `begin`/`end`) on one axis. */
export function explicitPadding(
  inSize: number,
  kernel: number,
  stride: number,
  dilation = 1,
  begin = 0,
  end = 0,
): AxisGeometry {
  const effective = (kernel - 1) * dilation + 1;
  return { out: Math.floor((inSize + begin + end - effective) / stride) + 1, begin, end };
}
