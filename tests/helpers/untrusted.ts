/** @file What no message quoting outside text may contain. */

/** Characters no message may carry: C0/C1 controls, DEL, bidi marks, embeddings, overrides, isolates. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
