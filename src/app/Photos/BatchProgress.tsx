/**
 * @file "n of m" progress of the current photo batch, as an accessible progressbar.
 */
import { useAppStore } from '../../store/use-app-store.ts';

/** Shows while a batch runs (and its final count afterwards). */
export function BatchProgress() {
  const batch = useAppStore((s) => s.photos.batch);
  if (!batch || batch.total === 0) return null;
  const text = batch.running ? `Annotating ${batch.done} of ${batch.total}` : `${batch.done} of ${batch.total} done`;
  return (
    <div className="batch">
      <span className="batch__label" id="batch-label">
        {text}
      </span>
      <div
        className="progress"
        role="progressbar"
        aria-labelledby="batch-label"
        aria-valuemin={0}
        aria-valuemax={batch.total}
        aria-valuenow={batch.done}
        aria-valuetext={`${batch.done} of ${batch.total} photos`}
        data-testid="batch-progress"
      >
        <div className="progress__bar" style={{ width: `${(100 * batch.done) / batch.total}%` }} />
      </div>
    </div>
  );
}
