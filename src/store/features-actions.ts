/**
 * @file Which features run: the picker on Photos and Webcam, remembered on this device, and
 * `?features=` for one visit. Turning a feature on loads its models off the hot path (the
 * webcam keeps running on the others); turning it off retires them. Works outside React.
 */
import { FEATURES } from '../features/index.ts';
import { DEFAULT_FEATURES, parseFeatureList } from '../shared/feature-set.ts';
import { appStore, patchFeatures } from './app-store.ts';
import { toUserError } from './user-error.ts';
import { announce } from './ui-slice.ts';
import { currentManager } from './update-actions.ts';

/** localStorage key of the remembered choice. */
export const FEATURES_KEY = 'hotlens.features';

function remembered(): string[] | null {
  try {
    const text = globalThis.localStorage?.getItem(FEATURES_KEY);
    return text ? parseFeatureList(text, FEATURES) : null;
  } catch {
    // Unknown entries (a feature removed since) or storage blocked: use the default.
    return null;
  }
}

/**
 * The features a visit starts with: `?features=` when given and valid (for this visit only), else
 * the remembered choice, else the default. A bad URL list is reported and ignored.
 */
export function initialFeatures(urlList: string | undefined): string[] {
  if (urlList !== undefined) {
    try {
      const ids = parseFeatureList(urlList, FEATURES);
      patchFeatures(() => ({ selected: ids, problem: null }));
      return ids;
    } catch (err) {
      patchFeatures(() => ({ problem: `?features= ignored: ${(err as Error).message}` }));
    }
  }
  const ids = remembered() ?? [...DEFAULT_FEATURES];
  patchFeatures(() => ({ selected: ids }));
  return ids;
}

/** The models of `ids` serve (start-up or a change finished). */
export function featuresServing(ids: readonly string[]): void {
  patchFeatures(() => ({ serving: [...ids], changing: false }));
}

/** The user changed the picker: remember it and load or retire models to match. */
export async function chooseFeatures(ids: readonly string[]): Promise<void> {
  const chosen = FEATURES.filter((f) => ids.includes(f.id)).map((f) => f.id);
  if (chosen.length === 0) return;
  try {
    globalThis.localStorage?.setItem(FEATURES_KEY, chosen.join(','));
  } catch {
    // Storage blocked: the choice holds for this visit.
  }
  patchFeatures(() => ({ selected: chosen, changing: true, problem: null }));
  const manager = currentManager();
  if (!manager || appStore.getState().engine.phase !== 'ready') return; // start-up picks it up
  try {
    await manager.setFeatures(chosen);
    if (appStore.getState().features.selected.join() === chosen.join()) featuresServing(chosen);
    const labels = FEATURES.filter((f) => chosen.includes(f.id)).map((f) => f.label);
    announce(`Now annotating: ${labels.join(', ')}.`);
  } catch (err) {
    const e = toUserError(err);
    patchFeatures(() => ({ changing: false, problem: `${e.title}: ${e.message}` }));
    announce(`${e.title}. ${e.message}`);
  }
}
