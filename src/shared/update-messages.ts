/**
 * @file The model-update contract shared by the service worker, the inference worker(s) and
 * the UI: swap stages, update-log records, the messages on BroadcastChannel `hotlens-models`,
 * and the page → service-worker requests. Plain data only, so every message survives
 * structured cloning. Receivers validate with {@link isModelsMessage} / {@link isSwRequest}
 * because a channel is shared by every tab of the origin, old app versions included.
 */
import { untrustedText } from './untrusted-text.ts';

/** The BroadcastChannel every thread of the origin uses for model updates. */
export const MODELS_CHANNEL = 'hotlens-models';

/** Hot-swap stages in order (ARCHITECTURE.md, "One model update"); the first four run in the service worker. */
export const SWAP_STAGES = [
  'found',
  'downloading',
  'verifying',
  'stored',
  'compat-checked',
  'compiling',
  'probed',
  'warmed',
  'serving',
  'draining',
  'released',
] as const;

/** One hot-swap stage. */
export type SwapStage = (typeof SWAP_STAGES)[number];

/** What the UI shows as a model's current stage: a swap stage, `rejected`, or `idle` when nothing is happening. */
export type StageStatus = SwapStage | 'rejected' | 'idle';

/** Which rollout a model follows on this client. */
export type ModelChannel = 'stable' | 'canary' | 'pinned';

/**
 * How a stage ended. `rejected`: the candidate failed a check and is marked bad; `failed`: a
 * transient problem (network, cleanup) that does not condemn the version; `cancelled`: the
 * swap was abandoned (superseded or shut down); `rolled-back`: a serving version was replaced
 * by its predecessor.
 */
export type StageOutcome = 'ok' | 'rejected' | 'failed' | 'cancelled' | 'rolled-back';

/** A version of a model, identified by its content. */
export interface VersionRef {
  version: string;
  sha256: string;
}

/** Where a version was condemned: a swap stage, `runtime` (health after the flip) or `manual` (user rollback). */
export type BadStage = SwapStage | 'runtime' | 'manual';

/**
 * The `model` of update-log records about the manifest itself (a refused manifest: bad
 * signature, replayed serial, invalid JSON or schema). A dot never appears in a model id, so it
 * cannot collide with one; such records carry `sha256: ''` and `version: 'serial N'` when the
 * serial could be read.
 */
export const MANIFEST_LOG_MODEL = 'manifest.json';

/**
 * The longest `reason` an update-log record carries, in characters. Reasons quote registry and
 * runtime text and are stored, broadcast to every tab and shown: a longer one is cut with "…".
 */
export const MAX_LOG_REASON_CHARS = 500;

/** `reason` as update-log records (and the refusal errors behind them) carry it: bounded and clean. */
export function logReason(reason: string): string {
  return untrustedText(reason, MAX_LOG_REASON_CHARS);
}

/** `record` with its reason bounded by {@link logReason}. */
export function boundedLogRecord(record: UpdateLogRecord): UpdateLogRecord {
  return record.reason === undefined ? record : { ...record, reason: logReason(record.reason) };
}

/** One entry of the update log. */
export interface UpdateLogRecord {
  /** Milliseconds since the epoch. */
  time: number;
  model: string;
  version: string;
  sha256: string;
  stage: SwapStage;
  outcome: StageOutcome;
  /** Why, for anything but `ok`; also carries notes such as the rollback target. */
  reason?: string;
  /** How long this stage took. */
  durationMs: number;
  /** Per-stage durations so far, on the record that ends an update (serving, released, rejected). */
  durations?: Partial<Record<SwapStage, number>>;
  /** Which thread wrote it. */
  source: 'sw' | 'worker' | 'page';
}

/** Result of one registry check, as the service worker reports it to the page that asked. */
export interface CheckSummary {
  /** True when the manifest was fetched (updated or unchanged) without error. */
  ok: boolean;
  /** Serial of the manifest in force after the check (null: none accepted yet). */
  serial: number | null;
  /** True when a new manifest was accepted by this check. */
  changed: boolean;
  /** Blobs that are now stored and announced ready. */
  ready: Array<{ id: string } & VersionRef>;
  /** Versions rejected by this check. */
  rejected: Array<{ id: string; reason: string } & VersionRef>;
  /** Why the check failed or the manifest was refused, when it did. */
  error?: string;
  /** Set when a check was not run because the last one is recent enough. */
  skipped?: boolean;
}

/** Messages on {@link MODELS_CHANNEL}. */
export type ModelsMessage =
  | { type: 'manifest-accepted'; serial: number; changed: boolean }
  | { type: 'manifest-rejected'; reason: string }
  | { type: 'registry-unavailable'; reason: string }
  | ({ type: 'model-found'; id: string; channel: ModelChannel; bytes: number } & VersionRef)
  | ({ type: 'model-progress'; id: string; loaded: number; total: number } & VersionRef)
  | ({ type: 'model-ready'; id: string } & VersionRef)
  | ({ type: 'model-rejected'; id: string; stage: BadStage; reason: string } & VersionRef)
  | ({ type: 'model-failed'; id: string; reason: string } & VersionRef)
  | ({ type: 'model-serving'; id: string } & VersionRef)
  | { type: 'model-rolled-back'; id: string; from: VersionRef; to: VersionRef; reason: string }
  | { type: 'log'; record: UpdateLogRecord };

/** Why the page asks for a check: `tick` and `periodic` run only when a poll is due. */
export type CheckReason = 'user' | 'focus' | 'start' | 'tick' | 'timer' | 'periodic';

/** Messages a page sends to the service worker (reply, if any, via the MessageChannel port). */
export type SwRequest =
  | { type: 'check-for-updates'; reason: CheckReason }
  | { type: 'configure'; pollIntervalMs?: number; registryUrl?: string; stallTimeoutMs?: number }
  /** workbox-window's `messageSkipWaiting()` sends exactly this. */
  | { type: 'SKIP_WAITING' };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRef = (v: unknown): boolean => isObj(v) && isStr(v.version) && isStr(v.sha256);
const hasRef = (o: Obj): boolean => isStr(o.id) && isStr(o.version) && isStr(o.sha256);

const STAGES: ReadonlySet<string> = new Set(SWAP_STAGES);
const CHANNELS: ReadonlySet<string> = new Set(['stable', 'canary', 'pinned']);
const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'rejected', 'failed', 'cancelled', 'rolled-back']);
const REASONS: ReadonlySet<string> = new Set(['user', 'focus', 'start', 'tick', 'timer', 'periodic']);

/** True when `v` is a well-formed update-log record. */
export function isUpdateLogRecord(v: unknown): v is UpdateLogRecord {
  return (
    isObj(v) &&
    isNum(v.time) &&
    isStr(v.model) &&
    isStr(v.version) &&
    isStr(v.sha256) &&
    isStr(v.stage) &&
    STAGES.has(v.stage) &&
    isStr(v.outcome) &&
    OUTCOMES.has(v.outcome) &&
    isNum(v.durationMs) &&
    (v.reason === undefined || isStr(v.reason)) &&
    (v.source === 'sw' || v.source === 'worker' || v.source === 'page')
  );
}

/** True when `v` is a message this version of the app understands on {@link MODELS_CHANNEL}. */
export function isModelsMessage(v: unknown): v is ModelsMessage {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'manifest-accepted':
      return isNum(v.serial) && typeof v.changed === 'boolean';
    case 'manifest-rejected':
    case 'registry-unavailable':
      return isStr(v.reason);
    case 'model-found':
      return hasRef(v) && isStr(v.channel) && CHANNELS.has(v.channel) && isNum(v.bytes);
    case 'model-progress':
      return hasRef(v) && isNum(v.loaded) && isNum(v.total);
    case 'model-ready':
    case 'model-serving':
      return hasRef(v);
    case 'model-rejected':
      return (
        hasRef(v) &&
        isStr(v.stage) &&
        (STAGES.has(v.stage) || v.stage === 'runtime' || v.stage === 'manual') &&
        isStr(v.reason)
      );
    case 'model-failed':
      return hasRef(v) && isStr(v.reason);
    case 'model-rolled-back':
      return isStr(v.id) && isRef(v.from) && isRef(v.to) && isStr(v.reason);
    case 'log':
      return isUpdateLogRecord(v.record);
    default:
      return false;
  }
}

/** True when `v` is a request the service worker handles. */
export function isSwRequest(v: unknown): v is SwRequest {
  if (!isObj(v)) return false;
  switch (v.type) {
    case 'check-for-updates':
      return isStr(v.reason) && REASONS.has(v.reason);
    case 'configure':
      return (
        (v.pollIntervalMs === undefined || (isNum(v.pollIntervalMs) && v.pollIntervalMs > 0)) &&
        (v.stallTimeoutMs === undefined || (isNum(v.stallTimeoutMs) && v.stallTimeoutMs > 0)) &&
        (v.registryUrl === undefined || isStr(v.registryUrl))
      );
    case 'SKIP_WAITING':
      return true;
    default:
      return false;
  }
}
