/**
 * @file Actions of the UI slice: the selected view and screen-reader announcements (an
 * aria-live region renders the latest one).
 */
import { patchUi } from './app-store.ts';
import type { UiSlice } from './types.ts';

/** Shows the Webcam or Photos view. */
export function selectTab(tab: UiSlice['tab']): void {
  patchUi(() => ({ tab }));
}

/** Queues a polite announcement; `seq` changes even when the text repeats. */
export function announce(text: string): void {
  patchUi((u) => ({ announcement: { text, seq: u.announcement.seq + 1 } }));
}
