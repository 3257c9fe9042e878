/**
 * @file The Models view: where updates come from (registry, poll interval, service worker),
 * a Check now button, one card per model (versions, channel, stage, roll back, pin) and the
 * "Try a model file" section and the update log. Everything reads the store, so it shows what
 * `window.hotlens.status()` reports.
 */
import { useState } from 'react';
import { POLL_INTERVAL } from '../../shared/update-settings.ts';
import { modelViews } from '../../store/models-view.ts';
import { checkForUpdates } from '../../store/update-actions.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import { ModelCard } from './ModelCard.tsx';
import { TryModel } from './TryModel.tsx';
import { UpdateLog } from './UpdateLog.tsx';
import './Models.css';

const UPDATER_WORDS = {
  none: 'no service worker: checks run in this page when you ask',
  starting: 'service worker starting',
  active: 'service worker polls the registry',
  failed: 'service worker failed to start: checks run in this page',
} as const;

function lastCheckText(check: { ok: boolean; at: number; ready: unknown[]; error?: string } | null): string {
  if (!check) return 'Not checked from this page yet.';
  const when = new Date(check.at).toLocaleTimeString();
  if (!check.ok) return `Last check at ${when} failed: ${check.error ?? 'unknown error'}`;
  return `Last check at ${when}: ${check.ready.length ? `${check.ready.length} version(s) ready` : 'up to date'}.`;
}

/** The Models panel content. */
export function ModelsPanel() {
  const manager = useAppStore((s) => s.models.manager);
  const log = useAppStore((s) => s.models.log);
  const slice = useAppStore((s) => s.models);
  const [busy, setBusy] = useState(false);
  const views = modelViews(manager);
  // The effective interval of this visit (the URL's, clamped, else the default).
  const poll = slice.pollIntervalMs ?? POLL_INTERVAL.defaultMs;
  return (
    <div className="models">
      <div className="toolbar">
        <button
          type="button"
          className="button button--primary"
          disabled={busy || slice.checking}
          onClick={() => {
            setBusy(true);
            void checkForUpdates().finally(() => setBusy(false));
          }}
        >
          {busy || slice.checking ? 'Checking…' : 'Check now'}
        </button>
        <p className="toolbar__note" data-testid="last-check">
          {lastCheckText(slice.lastCheck)}
        </p>
      </div>
      <p className="models__source">
        Registry <code>{slice.registryUrl ?? '—'}</code>
        {manager?.manifest ? ` · manifest serial ${manager.manifest.serial}` : ''} · every{' '}
        {poll >= 1000 ? `${poll / 1000} s` : `${poll} ms`} · {UPDATER_WORDS[slice.updater]}
      </p>
      {slice.registryRefused && (
        <div className="banner banner--error" role="alert">
          <h2 className="banner__title">The registry in this link was refused</h2>
          <p>
            <code>{slice.registryRefused}</code> is not a registry this app may follow; it follows its own registry
            instead.
          </p>
        </div>
      )}
      {manager?.registryProblem && (
        <p className="models__offline" role="status">
          The registry cannot be reached ({manager.registryProblem}); the models on this device keep serving and the
          next poll tries again.
        </p>
      )}
      {manager?.manifestProblem && (
        <div className="banner banner--error" role="alert">
          <h2 className="banner__title">The registry published a manifest this app refused</h2>
          <p>{manager.manifestProblem}. The models in use keep serving.</p>
        </div>
      )}
      <div className="models__list">
        {views.map((view) => (
          <ModelCard key={view.id} model={view} />
        ))}
      </div>
      <TryModel />
      <h2 className="models__heading">Update log</h2>
      <UpdateLog records={log} />
    </div>
  );
}
