/**
 * @file The header: product name, privacy promise and the status pill (backend, threads,
 * model versions, and an alert when a model update was rejected) so users and testers see at
 * a glance what is running.
 */
import { useAppStore } from '../../store/use-app-store.ts';
import './Header.css';

function StatusPill() {
  const engine = useAppStore((s) => s.engine);
  const info = engine.info;
  let text = 'Starting…';
  let tone = 'pending';
  if (engine.phase === 'loading') text = 'Loading models…';
  if (engine.phase === 'error') {
    text = 'Models failed to load';
    tone = 'error';
  }
  if (info && engine.phase === 'ready') {
    text = `${info.backend.toUpperCase()} · ${info.threads} thread${info.threads > 1 ? 's' : ''}`;
    tone = 'ok';
  }
  // An update that failed a check is worth a glance at the Models tab (the old version serves on).
  // (A string, not an array: a selector must return the same value while nothing changed.)
  const rejected = useAppStore((s) =>
    Object.entries(s.models.manager?.stages ?? {})
      .filter(([, st]) => st.stage === 'rejected')
      .map(([id, st]) => `${id} ${st.version ?? ''}`.trim())
      .join(', '),
  );
  if (rejected && tone === 'ok') tone = 'warn';
  const versions = info
    ? Object.values(info.models)
        .map((m) => `${m.id} ${m.version}`)
        .join(', ')
    : '';
  return (
    <p className={`status-pill status-pill--${tone}`} data-testid="status-pill" title={versions || undefined}>
      <span className="status-pill__dot" aria-hidden="true" />
      <span>{text}</span>
      {versions && <span className="status-pill__models">{versions}</span>}
      {rejected && (
        <span className="status-pill__alert" data-testid="update-alert">
          update rejected: {rejected}
        </span>
      )}
    </p>
  );
}

/** The page header. */
export function Header() {
  return (
    <header className="header">
      <div className="header__brand">
        <img src="./favicon.svg" alt="" width="32" height="32" />
        <div>
          <h1 className="header__title">hotlens</h1>
          <p className="header__tagline">Faces, age, gender and expression — computed on your device.</p>
        </div>
      </div>
      <StatusPill />
    </header>
  );
}
