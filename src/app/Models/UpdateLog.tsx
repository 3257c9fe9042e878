/**
 * @file The update log as a table, newest first: when, which model and version, the stage,
 * how it ended and why, how long the stage took, and on the record that ends an update the
 * per-stage durations.
 */
import type { UpdateLogRecord } from '../../shared/update-messages.ts';
import { ColumnHeads } from './ColumnHeads.tsx';

/** Rows shown; the store keeps more. */
const SHOWN = 60;

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

function durations(r: UpdateLogRecord): string {
  if (!r.durations) return '';
  return Object.entries(r.durations)
    .map(([stage, d]) => `${stage} ${ms(d ?? 0)}`)
    .join(' · ');
}

/** Props of {@link UpdateLog}. */
export interface UpdateLogProps {
  records: readonly UpdateLogRecord[];
}

/** The update log table. */
export function UpdateLog({ records }: UpdateLogProps) {
  const rows = records.slice(-SHOWN).reverse();
  if (rows.length === 0) return <p className="update-log__empty">No updates yet.</p>;
  return (
    <div className="update-log" tabIndex={0} role="region" aria-label="Update log (scrollable)">
      <table>
        <ColumnHeads columns={['Time', 'Model', 'Version', 'Stage', 'Outcome', 'Took', 'Details']} />
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.time}-${r.model}-${r.stage}-${r.outcome}-${i}`} className={`update-log__row--${r.outcome}`}>
              <td>
                <time dateTime={new Date(r.time).toISOString()}>{new Date(r.time).toLocaleTimeString()}</time>
              </td>
              <td>{r.model}</td>
              <td>{r.version}</td>
              <td>{r.stage}</td>
              <td>{r.outcome}</td>
              <td>{ms(r.durationMs)}</td>
              <td>{[r.reason, durations(r), r.source === 'sw' ? 'service worker' : ''].filter(Boolean).join(' — ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
