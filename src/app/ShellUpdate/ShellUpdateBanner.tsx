/**
 * @file "New version — Reload": shown, never forced, when a new app shell (HTML/JS/CSS) is
 * installed and waiting. Non-modal (a status region, not a dialog), so the webcam keeps
 * running; Reload activates the new shell and reloads, Later keeps this one for the session.
 * Model updates never show it: they swap in place.
 */
import { acceptShellUpdate, dismissShellUpdate } from '../../store/update-actions.ts';
import { useAppStore } from '../../store/use-app-store.ts';

/** The app-shell update banner (renders nothing unless an update waits). */
export function ShellUpdateBanner() {
  const waiting = useAppStore((s) => s.models.shellUpdate);
  if (!waiting) return null;
  return (
    <section className="banner shell-update" role="status" aria-label="App update" data-testid="shell-update">
      <p>
        <strong>New version of hotlens available.</strong> Reload to use it; nothing is lost, the models stay on this
        device.
      </p>
      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={() => acceptShellUpdate()}>
          Reload
        </button>
        <button type="button" className="button" onClick={() => dismissShellUpdate()}>
          Later
        </button>
      </div>
    </section>
  );
}
