/**
 * @file The input convention face-api's 112×112 face nets share (FaceFeatureExtractor and
 * TinyXception both normalise with these means before dividing by 255).
 */

/** Side of the square face crop and the per-channel means subtracted in-graph. */
export const FACE_NET_INPUT = {
  size: 112,
  meanRgb: [122.782, 117.001, 104.298] as const,
} as const;
