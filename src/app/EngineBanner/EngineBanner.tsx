/**
 * @file Model loading progress (a real progressbar) and, if loading fails, the reason and a
 * Retry button. Hidden once the models are ready.
 */
import { loadSummary } from '../../store/engine-slice.ts';
import { restartEngine } from '../../store/engine-actions.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import { ProgressBar } from '../ProgressBar/ProgressBar.tsx';

/** Shows loading progress or the load error. */
export function EngineBanner() {
  const engine = useAppStore((s) => s.engine);
  if (engine.phase === 'ready') return null;
  if (engine.phase === 'error' && engine.error) {
    return (
      <section className="banner banner--error" role="alert">
        <h2 className="banner__title">{engine.error.title}</h2>
        <p>{engine.error.message}</p>
        <button type="button" className="button" onClick={() => void restartEngine()}>
          Retry
        </button>
      </section>
    );
  }
  const { fraction, label } = loadSummary(engine.steps);
  return (
    <section className="banner" aria-label="Model loading">
      <p className="banner__label" id="engine-progress-label">
        {label}
      </p>
      <ProgressBar value={Math.round(fraction * 100)} max={100} labelledBy="engine-progress-label" />
    </section>
  );
}
