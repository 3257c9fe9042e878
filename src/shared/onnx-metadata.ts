/**
 * @file Reads a model file's `metadata_props` (ModelProto field 14: key/value strings) without
 * a runtime, and the label list a model may carry there under `labels` (a JSON array of strings,
 * or one label per line, or comma-separated — what `publish-model` and `adapt-model` read and
 * write). Used when a user drops a model file in the Models panel; the registry tools have their
 * own fuller inspector (tools/lib/onnx-inspect.ts).
 */
import { OnnxFormatError } from './onnx-signature.ts';
import { protobufFields } from './protobuf-fields.ts';

const utf8 = new TextDecoder();

/** The model's metadata_props as a record (later keys win); throws {@link OnnxFormatError} on malformed bytes. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const fail = (reason: string) => new OnnxFormatError(reason);
  for (const f of protobufFields(bytes, fail)) {
    if (f.no !== 14 || typeof f.value === 'number') continue;
    let key = '';
    let value = '';
    for (const g of protobufFields(f.value, fail)) {
      if (typeof g.value === 'number') continue;
      if (g.no === 1) key = utf8.decode(g.value);
      else if (g.no === 2) value = utf8.decode(g.value);
    }
    if (key !== '') out[key] = value;
  }
  return out;
}

/**
 * A label list from text: a JSON array of strings, else one label per line, else (a single line)
 * comma-separated. Blank entries are dropped. Null when the text holds no label, or JSON that is
 * not an array of strings.
 */
export function parseLabelList(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return null;
    }
    if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) return null;
    const labels = (parsed as string[]).map((l) => l.trim());
    return labels.length > 0 ? labels : null;
  }
  const lines = trimmed.split(/\r?\n/);
  const parts = lines.length > 1 ? lines : trimmed.split(',');
  const labels = parts.map((l) => l.trim()).filter((l) => l !== '');
  return labels.length > 0 ? labels : null;
}
