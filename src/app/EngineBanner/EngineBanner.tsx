/**
 * @file Model loading progress (a real progressbar) and, if loading fails, the reason and a
 * Retry button. Hidden once the models are ready.
 */
import { loadSummary } from '../../store/engine-slice.ts';
import { restartEngine } from '../../store/engine-actions.ts';
import { useAppStore } from '../../store/use-app-store.ts';

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
      <div
        className="progress"
        role="progressbar"
        aria-labelledby="engine-progress-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div className="progress__bar" style={{ width: `${fraction * 100}%` }} />
      </div>
    </section>
  );
}
