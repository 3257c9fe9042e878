/**
 * @file Strict X.Y.Z version numbers for model versions. The registry keys versions by these
 * strings, so parsing is strict (no "v" prefix, no leading zeros, no pre-release tags): two
 * spellings of one version would otherwise be two different registry entries.
 */

/** A parsed model version. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

const PART = '(0|[1-9][0-9]{0,8})';
const PATTERN = new RegExp(`^${PART}\\.${PART}\\.${PART}$`);

/** Parses "X.Y.Z" (non-negative integers without leading zeros); null when malformed. */
export function parse(version: string): SemVer | null {
  const m = PATTERN.exec(version);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** True when `version` is a strict "X.Y.Z". */
export function isValid(version: unknown): version is string {
  return typeof version === 'string' && parse(version) !== null;
}

/** Orders two versions: negative when a < b, 0 when equal, positive when a > b. Throws on malformed input. */
export function compare(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa) throw new TypeError(`"${a}" is not a version of the form X.Y.Z`);
  if (!pb) throw new TypeError(`"${b}" is not a version of the form X.Y.Z`);
  return pa.major - pb.major || pa.minor - pb.minor || pa.patch - pb.patch;
}

/** The highest of `versions` (null for an empty list). */
export function latest(versions: Iterable<string>): string | null {
  let best: string | null = null;
  for (const v of versions) if (best === null || compare(v, best) > 0) best = v;
  return best;
}
