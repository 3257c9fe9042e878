/**
 * @file One model in the Models panel: active and previous versions, channel and pin, the
 * stage of an update under way (a real progressbar while downloading), every version the
 * manifest lists, and the Roll back / Pin / Unpin controls (labelled buttons; outcomes are
 * announced through the store).
 */
import { useId, useState } from 'react';
import type { ModelView } from '../../store/models-view.ts';
import { pinModel, rollbackModel } from '../../store/update-actions.ts';
import { stopUsingLocal } from '../../store/trial-actions.ts';
import { announce } from '../../store/ui-slice.ts';
import { ColumnHeads } from './ColumnHeads.tsx';

const STAGE_WORDS: Record<string, string> = {
  loading: 'Loading',
  error: 'Failed to load',
  idle: 'Up to date',
  found: 'New version found',
  downloading: 'Downloading',
  verifying: 'Verified',
  stored: 'Stored, waiting to swap',
  'compat-checked': 'Compatible, compiling',
  compiling: 'Compiled',
  probed: 'Probe passed, warming up',
  warmed: 'Warmed up',
  shadowed: 'Shadow comparison passed',
  serving: 'Serving, draining the old version',
  draining: 'Drained',
  released: 'Old version released',
  rejected: 'Rejected',
};

function kib(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function failure(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Props of {@link ModelCard}. */
export interface ModelCardProps {
  model: ModelView;
}

/** One model's card. */
export function ModelCard({ model }: ModelCardProps) {
  const headingId = useId();
  const pinId = useId();
  const [busy, setBusy] = useState(false);
  const [choice, setChoice] = useState<string>('');
  const { stage } = model;
  const pinTo = choice || model.active || model.versions[0]?.version || '';
  const run = (what: () => Promise<unknown>) => {
    setBusy(true);
    what()
      .catch((err: unknown) => announce(failure(err)))
      .finally(() => setBusy(false));
  };
  const progress = stage.progress && stage.progress.total > 0 ? stage.progress.loaded / stage.progress.total : null;
  const stageText = `${STAGE_WORDS[stage.stage] ?? stage.stage}${stage.version && stage.stage !== 'idle' ? ` ${stage.version}` : ''}`;
  return (
    <article className="model-card" aria-labelledby={headingId} data-testid={`model-${model.id}`}>
      <header className="model-card__head">
        <h3 id={headingId} className="model-card__title">
          {model.id}
        </h3>
        {model.task && <span className="model-card__task">{model.task}</span>}
      </header>
      <dl className="model-card__facts">
        <div>
          <dt>Active</dt>
          <dd data-testid="model-active">{model.active ?? '—'}</dd>
        </div>
        <div>
          <dt>Previous</dt>
          <dd>{model.previous ?? '—'}</dd>
        </div>
        <div>
          <dt>Channel</dt>
          <dd data-testid="model-channel">
            {model.channel}
            {model.bucket !== null && model.channel !== 'pinned' ? ` (bucket ${model.bucket})` : ''}
          </dd>
        </div>
        <div>
          <dt>Pinned</dt>
          <dd>{model.pinned ?? 'no'}</dd>
        </div>
      </dl>
      <div className={`model-card__stage model-card__stage--${stage.stage}`} data-testid="model-stage">
        <span>{stageText}</span>
        {stage.stage === 'downloading' && (
          <div
            className="progress"
            role="progressbar"
            aria-label={`Downloading ${model.id} ${stage.version ?? ''}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress === null ? undefined : Math.round(progress * 100)}
          >
            <div className="progress__bar" style={{ width: `${(progress ?? 0) * 100}%` }} />
          </div>
        )}
      </div>
      {stage.reason && <p className="model-card__reason">{stage.reason}</p>}
      {model.local && (
        <div className="model-card__local" data-testid="model-local">
          <p>
            Local file <strong>{model.local.name}</strong> (sha256{' '}
            <code title={model.local.sha256}>{model.local.sha256.slice(0, 12)}…</code>) is used on this device only.
          </p>
          <button
            type="button"
            className="button button--small"
            disabled={busy}
            onClick={() => run(() => stopUsingLocal(model.id))}
            aria-label={`Stop using ${model.local.name} for ${model.id}`}
          >
            Stop using
          </button>
        </div>
      )}
      {model.note && <p className="model-card__note">{model.note}</p>}
      <div className="model-card__actions">
        <button
          type="button"
          className="button button--small"
          disabled={busy || !model.canRollBack}
          onClick={() => run(() => rollbackModel(model.id))}
          aria-label={`Roll back ${model.id}${model.previous ? ` to ${model.previous}` : ''}`}
        >
          Roll back{model.previous ? ` to ${model.previous}` : ''}
        </button>
        <label htmlFor={pinId} className="model-card__pin-label">
          Version to pin
        </label>
        <select
          id={pinId}
          aria-label={`Version of ${model.id} to pin`}
          className="model-card__select"
          value={pinTo}
          onChange={(e) => setChoice(e.currentTarget.value)}
          disabled={busy || model.versions.length === 0}
        >
          {model.versions.map((v) => (
            <option key={v.version} value={v.version}>
              {v.group ? `${v.version} (${v.group})` : v.version}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button--small"
          disabled={busy || !pinTo}
          onClick={() => run(() => pinModel(model.id, pinTo))}
          aria-label={`Pin ${model.id} to ${pinTo}`}
        >
          Pin
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={busy || model.pinned === null}
          onClick={() => run(() => pinModel(model.id, null))}
          aria-label={`Unpin ${model.id}`}
        >
          Unpin
        </button>
      </div>
      <table className="model-card__versions">
        <caption className="sr-only">Versions of {model.id} in the registry</caption>
        <ColumnHeads columns={['Version', 'Channel', 'Set', 'Size', 'Here']} />
        <tbody>
          {model.versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">{v.version}</th>
              <td>
                {[v.stable && 'stable', v.canaryPercent !== null && `canary ${v.canaryPercent}%`]
                  .filter(Boolean)
                  .join(', ') || '—'}
              </td>
              <td title={v.group ? 'changes together with the other models of this set' : undefined}>
                {v.group ?? '—'}
              </td>
              <td>{kib(v.bytes)}</td>
              <td>
                {v.version === model.active
                  ? 'active'
                  : v.version === model.previous
                    ? 'previous'
                    : v.bad
                      ? `bad (${v.bad.stage})`
                      : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
