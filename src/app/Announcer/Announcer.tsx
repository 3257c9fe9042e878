/**
 * @file The polite live region: whatever the store announces (results, camera changes) is read
 * out by screen readers without moving focus.
 */
import { useAppStore } from '../../store/use-app-store.ts';

/** Renders the latest announcement in a visually hidden aria-live region. */
export function Announcer() {
  const announcement = useAppStore((s) => s.ui.announcement);
  return (
    <div className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {/* The key forces a DOM change even when the same text repeats. */}
      <span key={announcement.seq}>{announcement.text}</span>
    </div>
  );
}
