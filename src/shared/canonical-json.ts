/**
 * @file Canonical JSON: the exact byte string a manifest signature covers. Object keys are
 * sorted by UTF-16 code units, no whitespace, `undefined` members dropped (as JSON.stringify
 * does). Anything JSON cannot represent faithfully (NaN, Infinity, functions, bigint, cycles)
 * throws instead of being silently rewritten, because a signer and a verifier that disagree
 * on such values would disagree on the signature.
 */

/** Error for values that have no canonical JSON form. */
export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
}

function encode(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${path} is a ${typeof value}, which JSON cannot represent`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new CanonicalJsonError(`${path} refers back to itself`);
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    // JSON.stringify writes holes and undefined array items as null; so do we.
    out = `[${Array.from(obj, (v: unknown, i) => (v === undefined ? 'null' : encode(v, `${path}[${i}]`, seen))).join(',')}]`;
  } else {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(`${path} is a ${obj.constructor.name}, not plain JSON data`);
    }
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const v = record[key];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${encode(v, `${path}.${key}`, seen)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  seen.delete(obj);
  return out;
}

/** Serialises `value` as canonical JSON (sorted keys, no whitespace). */
export function canonicalJson(value: unknown): string {
  return encode(value, '$', new Set());
}
