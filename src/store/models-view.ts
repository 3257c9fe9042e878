/**
 * @file What the Models panel and `window.hotlens.status().models` show per model, derived
 * purely from the manager's snapshot: active (what this tab serves) and previous versions,
 * channel, pin, every version the manifest lists (with its channel labels and bad marks), and
 * the stage an update is in. Unit-tested in Node.
 */
import type { ManagerState, StageInfo } from '../models/page/manager-types.ts';
import { FEATURES } from '../features/index.ts';
import { modelsOf } from '../shared/feature-set.ts';
import type { ModelChannel } from '../shared/update-messages.ts';

/** One version the manifest lists, as the panel shows it. */
export interface VersionView {
  version: string;
  sha256: string;
  bytes: number;
  /** The manifest's stable version. */
  stable: boolean;
  /** The canary percentage when this version is the canary. */
  canaryPercent: number | null;
  /** Why it may not run here, when it is marked bad. */
  bad: { stage: string; reason: string } | null;
  /** Its bytes are the active or previous version here (a rollback or pin needs no network). */
  local: boolean;
  /** The manifest group it belongs to (versions of several models that change together), if any. */
  group: string | null;
}

/** One model's row. */
export interface ModelView {
  id: string;
  task: string | null;
  active: string | null;
  previous: string | null;
  channel: ModelChannel;
  pinned: string | null;
  /** This install's canary bucket (0..99) for the model. */
  bucket: number | null;
  /** Why the policy chose differently from the obvious choice, if it did. */
  note: string | null;
  /** The version the policy wants here (may differ from active while an update runs). */
  target: string | null;
  stage: StageInfo;
  versions: VersionView[];
  /** A rollback is possible (a previous version that is not marked bad). */
  canRollBack: boolean;
  /** The model file this device uses for the id instead of the registry's versions (a local override). */
  local: { name: string; sha256: string; version: string } | null;
}

const LOADING: StageInfo = { stage: 'loading', version: null, progress: null, reason: null, since: 0 };

function semverDesc(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
}

/** The rows for every pipeline model (and any other model the manifest lists). */
export function modelViews(state: ManagerState | null): ModelView[] {
  const ids = new Set<string>(modelsOf(FEATURES).map((m) => m.id));
  for (const id of Object.keys(state?.manifest?.models ?? {})) ids.add(id);
  return [...ids].map((id) => {
    const entry = state?.manifest?.models[id];
    const control = state?.control.models[id];
    const plan = state?.plans[id];
    const bad = state?.control.bad.filter((b) => b.id === id) ?? [];
    const localShas = new Set([control?.active?.sha256, control?.previous?.sha256].filter(Boolean));
    const previous = control?.previous ?? null;
    const local = state?.control.local?.[id];
    const versions: VersionView[] = Object.entries(entry?.versions ?? {})
      .map(([version, v]) => {
        const mark = bad.find((b) => b.sha256 === v.sha256);
        return {
          version,
          sha256: v.sha256,
          bytes: v.bytes,
          stable: entry?.stable === version,
          canaryPercent: entry?.canary?.version === version ? entry.canary.percent : null,
          bad: mark ? { stage: mark.stage, reason: mark.reason } : null,
          local: localShas.has(v.sha256),
          group: v.group ?? null,
        };
      })
      .sort((a, b) => semverDesc(a.version, b.version));
    return {
      id,
      task: entry?.task ?? null,
      active: state?.serving[id]?.version ?? null,
      previous: previous?.version ?? null,
      channel: plan?.channel ?? 'stable',
      pinned: state?.control.pins[id] ?? null,
      bucket: plan?.bucket ?? null,
      note: plan?.note ?? null,
      target: plan?.target?.version ?? null,
      stage: state?.stages[id] ?? LOADING,
      versions,
      canRollBack:
        previous !== null &&
        !bad.some((b) => b.sha256 === previous.sha256 && b.stage !== 'manual') &&
        state?.serving[id] !== undefined,
      local: local ? { name: local.name, sha256: local.sha256, version: local.version } : null,
    };
  });
}
