/**
 * @file Where a wrapped model's labels come from: a labels file the user names, the names an
 * Ultralytics export carries in its own metadata, or a default list — COCO-80 for detectors
 * (shipped in labels/coco-80.txt, see the README there) and ImageNet-1000 for classifiers (the
 * list @tensorflow-models/mobilenet ships, Apache-2.0, index 0 = tench: torchvision's order).
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A labels file or list that cannot be used; the message is one sentence. */
export class LabelsError extends Error {
  override name = 'LabelsError';
}

/** Labels and a short note of where they came from (for messages and provenance). */
export interface LabelList {
  labels: string[];
  source: string;
}

const COCO_FILE = fileURLToPath(new URL('./labels/coco-80.txt', import.meta.url));
const IMAGENET_MODULE = '@tensorflow-models/mobilenet/dist/imagenet_classes.js';

function checkList(labels: string[], where: string): string[] {
  if (labels.length === 0) throw new LabelsError(`${where} has no labels`);
  const blank = labels.findIndex((l) => l.trim() === '');
  if (blank >= 0) throw new LabelsError(`${where} has an empty label at index ${blank}`);
  return labels;
}

/** Parses label text: a JSON array of strings, or one label per line (publish-model reads the same two forms). */
export function parseLabels(text: string, where: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) {
    return checkList(
      trimmed
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
      where,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new LabelsError(`${where} starts with "[" but is not a valid JSON array`);
  }
  if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) {
    throw new LabelsError(`${where} must be a JSON array of strings or one label per line`);
  }
  return checkList(parsed as string[], where);
}

/** Reads a labels file (see {@link parseLabels}). */
export async function readLabelsFile(path: string): Promise<LabelList> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LabelsError(
      `cannot read labels file ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return { labels: parseLabels(text, `labels file ${path}`), source: `labels file ${path}` };
}

/** The 80 COCO category names in the order YOLO models are trained on (class 0 = person). */
export function cocoLabels(): LabelList {
  const labels = parseLabels(readFileSync(COCO_FILE, 'utf8'), COCO_FILE);
  if (labels.length !== 80) throw new Error(`${COCO_FILE} should hold 80 labels, not ${labels.length}`);
  return { labels, source: 'COCO-80 (tools/adapt/labels/coco-80.txt)' };
}

/** The 1000 ImageNet class names in torchvision's order (sorted WordNet ids: 0 = tench, 1 = goldfish). */
export function imagenetLabels(): LabelList {
  let classes: unknown;
  try {
    classes = (createRequire(import.meta.url)(IMAGENET_MODULE) as { IMAGENET_CLASSES?: unknown }).IMAGENET_CLASSES;
  } catch (err) {
    throw new LabelsError(
      `the default ImageNet labels come from ${IMAGENET_MODULE}, which cannot be loaded (${(err as Error).message.split('\n')[0]}); run npm install or pass --labels`,
    );
  }
  const labels = Array.from({ length: 1000 }, (_, i) => (classes as Record<number, unknown> | undefined)?.[i]);
  if (labels.some((l) => typeof l !== 'string')) throw new LabelsError(`${IMAGENET_MODULE} is not a 1000-class list`);
  return { labels: labels as string[], source: 'ImageNet-1000 (@tensorflow-models/mobilenet imagenet_classes.js)' };
}

const PY_STRING = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const PY_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t' };

function pyString(literal: string): string | null {
  let out = '';
  for (let i = 1; i < literal.length - 1; i++) {
    const c = literal[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = literal[++i]!;
    const escaped = PY_ESCAPES[next];
    if (escaped === undefined) return null; // \x.., \u....: rare in class names; fall back to other sources
    out += escaped;
  }
  return out;
}

/**
 * The class names an Ultralytics export stores in metadata_props `names`: Python's repr of a
 * dict, `{0: 'person', 1: 'bicycle', ...}`. Null when absent or not exactly keys 0..K-1.
 */
export function ultralyticsNames(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const entry = String.raw`(\d+)\s*:\s*(${PY_STRING})`;
  if (!new RegExp(String.raw`^\{\s*(?:${entry}\s*(?:,\s*${entry}\s*)*,?)?\s*\}$`).test(value.trim())) return null;
  const names: string[] = [];
  for (const m of value.matchAll(new RegExp(entry, 'g'))) {
    const name = pyString(m[2]!);
    if (Number(m[1]) !== names.length || name === null) return null;
    names.push(name);
  }
  return names.length > 0 ? names : null;
}
