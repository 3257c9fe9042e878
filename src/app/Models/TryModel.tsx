/**
 * @file "Try a model file" in the Models panel: a drop zone and a file input for an ONNX file
 * (plus an optional labels file), the model id it would replace (proposed by task, changeable),
 * the outcome of its checks in one sentence, the live shadow comparison (ShadowReportView) with
 * "show candidate", JSON export, "Use on this device" and "Copy publish command".
 */
import { useId, useState, type DragEvent } from 'react';
import {
  chooseTrialTarget,
  endTrial,
  publishCommand,
  showCandidate,
  tryModelFiles,
  useTrialModel,
} from '../../store/trial-actions.ts';
import { announce } from '../../store/ui-slice.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import { ShadowReportView } from './ShadowReportView.tsx';

const LABEL_WORDS = {
  none: 'no labels needed',
  metadata: "labels from the file's metadata",
  sidecar: 'labels from the labels file',
  replaced: 'labels of the version it replaces',
} as const;

function stop(e: DragEvent): void {
  // The window-level drop target (photos) must not take a model file.
  e.preventDefault();
  e.stopPropagation();
}

function downloadJson(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The "Try a model file" section. */
export function TryModel() {
  const trial = useAppStore((s) => s.trial);
  const inputId = useId();
  const selectId = useId();
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const command = useAppStore(() => publishCommand());
  const run = (what: () => Promise<unknown>) => {
    setBusy(true);
    what()
      .catch((err: unknown) => announce(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  const checking = trial.phase === 'checking' || trial.phase === 'using';
  return (
    <section className="try-model" aria-labelledby={`${inputId}-h`} data-testid="try-model">
      <h2 id={`${inputId}-h`} className="models__heading">
        Try a model file
      </h2>
      <div
        className={`try-model__drop${over ? ' try-model__drop--over' : ''}`}
        data-testid="model-drop-zone"
        onDragEnter={(e) => {
          stop(e);
          setOver(true);
        }}
        onDragOver={stop}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          stop(e);
          setOver(false);
          const files = Array.from(e.dataTransfer.files);
          if (files.length) run(() => tryModelFiles(files));
        }}
      >
        <p>
          Drop an <code>.onnx</code> file here (with a labels <code>.txt</code>/<code>.json</code> if it has classes),
          or{' '}
          <label htmlFor={inputId} className="try-model__pick">
            choose a model file
          </label>
          . It is checked and compared with the serving version on this device; nothing is uploaded.
        </p>
        <input
          id={inputId}
          type="file"
          multiple
          accept=".onnx,.txt,.json,.labels"
          aria-label="Try a model file (.onnx, optionally with a labels file)"
          data-testid="model-file-input"
          className="try-model__input"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (files.length) run(() => tryModelFiles(files));
          }}
        />
      </div>
      {trial.file && (
        <div className="try-model__trial" data-testid="trial">
          <p className="try-model__file">
            <strong>{trial.file.name}</strong> · {(trial.file.bytes / 1_048_576).toFixed(1)} MB
            {trial.file.sha256 && (
              <>
                {' '}
                · sha256 <code title={trial.file.sha256}>{trial.file.sha256.slice(0, 12)}…</code>
              </>
            )}
            {trial.file.labelsFile && <> · labels file {trial.file.labelsFile}</>}
          </p>
          {trial.choices.length > 0 && (
            <p className="try-model__target">
              <label htmlFor={selectId}>Replaces</label>{' '}
              <select
                id={selectId}
                value={trial.id ?? ''}
                disabled={busy || checking}
                onChange={(e) => {
                  const id = e.currentTarget.value;
                  run(() => chooseTrialTarget(id));
                }}
              >
                {trial.choices.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.id} ({c.task}){c.fits ? '' : ' — does not fit'}
                  </option>
                ))}
              </select>
              {trial.labelsFrom && trial.phase !== 'rejected' && <span> · {LABEL_WORDS[trial.labelsFrom]}</span>}
            </p>
          )}
          <p className="try-model__status" role="status" data-testid="trial-status">
            {trial.phase === 'checking' && 'Checking: contract, labels, compile, probe…'}
            {trial.phase === 'using' && 'Swapping it in…'}
            {trial.phase === 'ready' &&
              `Passed the checks as ${trial.id} ${trial.version}; running in shadow of the serving version.`}
          </p>
          {trial.phase === 'rejected' && trial.problem && (
            <p className="try-model__problem" role="alert" data-testid="trial-problem">
              {trial.problem}
            </p>
          )}
          {trial.phase === 'ready' && trial.report && (
            <>
              <ShadowReportView report={trial.report} />
              <div className="model-card__actions">
                <label className="try-model__check">
                  <input
                    type="checkbox"
                    checked={trial.showCandidate}
                    onChange={(e) => showCandidate(e.currentTarget.checked)}
                  />{' '}
                  Show candidate boxes (dashed) on the webcam
                </label>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() =>
                    downloadJson(`shadow-${trial.id}-${trial.version}.json`, JSON.stringify(trial.report, null, 2))
                  }
                >
                  Export comparison (JSON)
                </button>
                <button
                  type="button"
                  className="button button--small button--primary"
                  disabled={busy}
                  onClick={() => run(useTrialModel)}
                >
                  Use on this device
                </button>
              </div>
            </>
          )}
          {command && trial.phase !== 'rejected' && (
            <div className="try-model__publish">
              <code data-testid="publish-command">{command}</code>
              <button
                type="button"
                className="button button--small"
                onClick={() =>
                  void navigator.clipboard.writeText(command).then(
                    () => announce('Publish command copied.'),
                    () => announce('Could not copy; select the command and copy it by hand.'),
                  )
                }
              >
                Copy publish command
              </button>
            </div>
          )}
          <button type="button" className="button button--small" disabled={busy} onClick={() => run(endTrial)}>
            {trial.phase === 'ready' ? 'Stop trying' : 'Clear'}
          </button>
        </div>
      )}
    </section>
  );
}
