/**
 * @file "n of m" progress of the current photo batch, as an accessible progressbar.
 */
import { useAppStore } from '../../store/use-app-store.ts';
import { ProgressBar } from '../ProgressBar/ProgressBar.tsx';

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
      <ProgressBar
        value={batch.done}
        max={batch.total}
        labelledBy="batch-label"
        valueText={`${batch.done} of ${batch.total} photos`}
        testId="batch-progress"
      />
    </div>
  );
}
