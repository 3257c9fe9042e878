/**
 * @file The React binding of the app store: components select the slice fields they render.
 */
import { useStore } from 'zustand';
import { appStore } from './app-store.ts';
import type { AppState } from './types.ts';

/** Selects from the app store and re-renders when the selection changes. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}
