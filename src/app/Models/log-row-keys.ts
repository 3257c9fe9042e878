/**
 * @file Keys for the update log's rows. Pure (unit-tested in Node).
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';

/**
 * Keys that stay with their record as newer ones arrive (an index into the newest-first list
 * would change every key, and React would rebuild every row, on each record): the record's own
 * fields, plus how many identical ones came before it.
 */
export function rowKeys(records: readonly UpdateLogRecord[]): string[] {
  const seen = new Map<string, number>();
  return records.map((r) => {
    const base = `${r.time}-${r.model}-${r.version}-${r.stage}-${r.outcome}-${r.source}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return `${base}-${n}`;
  });
}
