/**
 * @file The default label lists adapt-model writes, checked against independent sources where
 * this machine has them (Debian's darknet package: coco.names, and ImageNet WordNet ids with
 * their short names), and the parsers for label files and Ultralytics' `names` metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cocoLabels, imagenetLabels, LabelsError, parseLabels, ultralyticsNames } from '../../../tools/adapt/labels.ts';

const DARKNET = '/usr/share/darknet/data';
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('default labels', () => {
  it('COCO-80: the official category names in training order (class 0 person … 79 toothbrush)', () => {
    const { labels } = cocoLabels();
    expect(labels).toHaveLength(80);
    expect(new Set(labels).size).toBe(80);
    expect([labels[0], labels[16], labels[62], labels[79]]).toEqual(['person', 'dog', 'tv', 'toothbrush']);
  });

  it.skipIf(!existsSync(`${DARKNET}/coco.names`))(
    "COCO-80 has darknet's coco.names order; only darknet's six VOC-style spellings differ",
    () => {
      const darknet = lines(`${DARKNET}/coco.names`);
      const differ = cocoLabels()
        .labels.map((l, i) => [i, l, darknet[i]] as const)
        .filter(([, l, d]) => l !== d);
      expect(differ).toEqual([
        [3, 'motorcycle', 'motorbike'],
        [4, 'airplane', 'aeroplane'],
        [57, 'couch', 'sofa'],
        [58, 'potted plant', 'pottedplant'],
        [60, 'dining table', 'diningtable'],
        [62, 'tv', 'tvmonitor'],
      ]);
    },
  );

  it("ImageNet-1000: mobilenet's list, index 0 = tench, 1 = goldfish (torchvision's order)", () => {
    const { labels } = imagenetLabels();
    expect(labels).toHaveLength(1000);
    expect(labels.slice(0, 3).map((l) => l.split(',')[0])).toEqual(['tench', 'goldfish', 'great white shark']);
    expect(labels[999]).toMatch(/^toilet tissue/);
    // The list repeats one name for two classes (the bird and the machine), as torchvision's does.
    expect(labels.filter((l) => l === 'crane').length).toBe(2);
  });

  it.skipIf(!existsSync(`${DARKNET}/imagenet.labels.list`))(
    'ImageNet-1000 follows the sorted WordNet ids, as torchvision ImageFolder classes do',
    () => {
      // darknet lists the 1000 ILSVRC classes first, with WordNet ids and short names side by side.
      const ids = lines(`${DARKNET}/imagenet.labels.list`).slice(0, 1000);
      const names = lines(`${DARKNET}/imagenet.shortnames.list`).slice(0, 1000);
      const byId = ids.map((id, i) => [id, names[i]!] as const).sort(([a], [b]) => (a < b ? -1 : 1));
      expect(byId[0]).toEqual(['n01440764', 'tench']);
      const { labels } = imagenetLabels();
      const mismatched = byId
        .map(([, name], i) => [i, name] as const)
        .filter(([i, name]) => !labels[i]!.split(', ').includes(name));
      expect(mismatched).toEqual([[107, 'jellyfish']]); // mobilenet writes "jelly fish"
    },
  );
});

describe('label parsing', () => {
  it('reads a JSON array or one label per line, and refuses empty or malformed lists', () => {
    expect(parseLabels('["a", "b, c"]', 'x')).toEqual(['a', 'b, c']);
    expect(parseLabels('a\r\n b \n\nc\n', 'x')).toEqual(['a', 'b', 'c']);
    expect(() => parseLabels('[1, 2]', 'f')).toThrow(/f must be a JSON array of strings/);
    expect(() => parseLabels('["a",', 'f')).toThrow(/not a valid JSON array/);
    expect(() => parseLabels('\n\n', 'f')).toThrow(/f has no labels/);
    expect(() => parseLabels('["a", " "]', 'f')).toThrow(LabelsError);
  });

  it("reads Ultralytics' names metadata (Python dict repr) and ignores anything else", () => {
    expect(ultralyticsNames("{0: 'person', 1: 'bicycle'}")).toEqual(['person', 'bicycle']);
    expect(ultralyticsNames(`{0: "owner's car", 1: 'a \\'b\\' c', 2: 'back\\\\slash'}`)).toEqual([
      "owner's car",
      "a 'b' c",
      'back\\slash',
    ]);
    expect(ultralyticsNames(undefined)).toBeNull();
    expect(ultralyticsNames('{}')).toBeNull();
    expect(ultralyticsNames("{1: 'a'}")).toBeNull(); // not 0..K-1
    expect(ultralyticsNames("{0: 'a', 2: 'b'}")).toBeNull();
    expect(ultralyticsNames("['a', 'b']")).toBeNull();
    expect(ultralyticsNames("{0: 'caf\\xe9'}")).toBeNull(); // an escape we do not decode
  });
});
