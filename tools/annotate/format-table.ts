/**
 * @file The human-readable output of `npm run annotate`: one block per file (size, what was
 * found, time, model versions), then one line per thing each feature found, with the same
 * facts the app's photo card shows (they come from each feature's `details`).
 */
import type { Feature } from '../../src/shared/feature.ts';
import { describeCounts } from '../../src/shared/feature-set.ts';
import type { AnnotateOutput } from '../../src/shared/results.ts';

function factText(fact: { label?: string; value: string }): string {
  return fact.label ? `${fact.label} ${fact.value}` : fact.value;
}

/** Formats results (with per-file milliseconds) as text. */
export function formatTable(
  results: readonly AnnotateOutput[],
  millis: readonly number[],
  features: readonly Feature[],
): string {
  const blocks = results.map((r, i) => {
    const ms = millis[i] === undefined ? '' : `  (${millis[i]!.toFixed(0)} ms)`;
    if ('error' in r) return `${r.file}: error: ${r.error}`;
    const models = Object.entries(r.models)
      .map(([id, v]) => `${id} ${v}`)
      .join(', ');
    const byFeature = r as unknown as Record<string, unknown>;
    const counts = describeCounts(features, byFeature);
    const lines = [`${r.file}  ${r.width}×${r.height}${counts ? `  ${counts}` : ''}${ms}  [${models}]`];
    for (const f of features) {
      if (byFeature[f.id] === undefined) continue;
      const section = f.details(byFeature[f.id]);
      if (section.items.length === 0) lines.push(`  ${section.empty}`);
      section.items.forEach((item, k) => {
        const where = item.box
          ? `  box ${item.box.x.toFixed(0)},${item.box.y.toFixed(0)} ${item.box.width.toFixed(0)}×${item.box.height.toFixed(0)}`
          : '';
        lines.push(`  #${k + 1}${where}  ${item.facts.map(factText).join('  ')}`);
      });
    }
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}
