/**
 * @file Tiny Markdown helpers for REPORT.md: tables, number formatting, and a walk that lists
 * every `*_skipped` reason in the results.
 */

/** A Markdown table; cells are stringified, `null` shows as "—". */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cell = (v: string | number | null | undefined) =>
    v === null || v === undefined ? '—' : String(v).replace(/\|/g, '\\|');
  const aligned = headers.map((h, i) => (rows.some((r) => typeof r[i] === 'number') ? '---:' : '---'));
  return [
    `| ${headers.join(' | ')} |`,
    `| ${aligned.join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Milliseconds for a table (no decimals above 100). */
export function ms(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return v >= 100 ? Math.round(v) : Math.round(v * 10) / 10;
}

/** Bytes as KiB/MiB text. */
export function size(bytes: number | null | undefined): string | null {
  if (bytes === null || bytes === undefined) return null;
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Every `<key>_skipped` (and section `error`) in the results, with its path. */
export function skippedReasons(value: unknown, path = ''): [string, string][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${k}` : k;
    if ((k.endsWith('_skipped') || k === 'error') && typeof v === 'string') out.push([here, v]);
    else out.push(...skippedReasons(v, here));
  }
  return out;
}
