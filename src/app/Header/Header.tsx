/**
 * @file The header: product name, privacy promise and the status pill (backend, threads,
 * model versions) so users and testers see at a glance what is running.
 */
import { useAppStore } from '../../store/use-app-store.ts';

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
