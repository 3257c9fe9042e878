/**
 * @file The feature picker shown on Photos and Webcam: one checkbox per feature (faces,
 * objects, …), several at once, remembered on this device. A feature whose models are still
 * loading says so; the last checked feature cannot be unchecked (something must run).
 */
import { FEATURES } from '../../features/index.ts';
import { chooseFeatures } from '../../store/features-actions.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import './FeaturePicker.css';

/** Checkboxes for the features to run. */
export function FeaturePicker() {
  const selected = useAppStore((s) => s.features.selected);
  const serving = useAppStore((s) => s.features.serving);
  const changing = useAppStore((s) => s.features.changing);
  const problem = useAppStore((s) => s.features.problem);
  return (
    <fieldset className="feature-picker" aria-busy={changing}>
      <legend className="feature-picker__legend">Annotate</legend>
      {FEATURES.map((f) => {
        const on = selected.includes(f.id);
        const loading = on && changing && !serving.includes(f.id);
        return (
          <label key={f.id} className="feature-picker__option" title={f.description}>
            <input
              type="checkbox"
              checked={on}
              disabled={on && selected.length === 1}
              onChange={(e) => {
                const next = e.currentTarget.checked ? [...selected, f.id] : selected.filter((id) => id !== f.id);
                void chooseFeatures(next);
              }}
            />
            {f.label}
            {loading && <span className="feature-picker__note"> (loading models…)</span>}
          </label>
        );
      })}
      {problem && (
        <p className="feature-picker__problem" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
