/**
 * @file Error classes shared by the UI and the inference worker. Comlink carries only an
 * error's `name`, `message` and `stack` across the worker boundary, so each class sets a
 * distinct `name` and callers switch on it (never on `instanceof`, never on message text).
 * Messages are one sentence that says what happened and what to do.
 */

/** Every error name hotlens raises on purpose. */
export const ERROR_NAMES = [
  'EmptyFileError',
  'FileTooLargeError',
  'UnsupportedFileError',
  'ImageDecodeError',
  'ModelLoadError',
  'ModelIntegrityError',
  'ModelContractError',
  'ModelCompileError',
  'ModelProbeError',
  'ProbeAssetError',
  'ModelRuntimeError',
  'EngineNotReadyError',
  'WorkerCrashedError',
  'CameraDeniedError',
  'CameraNotFoundError',
  'CameraBusyError',
  'CameraEndedError',
  'CameraUnsupportedError',
] as const;

/** A name from {@link ERROR_NAMES}. */
export type HotlensErrorName = (typeof ERROR_NAMES)[number];

/** Base class: `name` is fixed per subclass so it survives structured cloning. */
export abstract class HotlensError extends Error {
  abstract override readonly name: HotlensErrorName;
}

/** True when `err` (possibly a Comlink-rebuilt plain Error) carries the given name. */
export function hasErrorName(err: unknown, name: HotlensErrorName): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

/** The hotlens error name of `err`, or null for anything else (bugs, runtime failures). */
export function errorNameOf(err: unknown): HotlensErrorName | null {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name === 'string' && (ERROR_NAMES as readonly string[]).includes(name)
    ? (name as HotlensErrorName)
    : null;
}

/** Size in MiB with one decimal; files round up and limits down, so "over" never reads as equal. */
function megabytes(bytes: number, round: (v: number) => number): string {
  return `${(round((bytes / 1_048_576) * 10) / 10).toFixed(1)} MiB`;
}

/** The file has no bytes at all. */
export class EmptyFileError extends HotlensError {
  override readonly name = 'EmptyFileError';
  constructor(file: string) {
    super(`${file} is empty (0 bytes); choose the original photo instead.`);
  }
}

/** The file is over the byte or pixel limit hotlens decodes. */
export class FileTooLargeError extends HotlensError {
  override readonly name = 'FileTooLargeError';
  /** Limit by file size in bytes. */
  static bytes(file: string, bytes: number, limit: number): FileTooLargeError {
    return new FileTooLargeError(
      `${file} is ${megabytes(bytes, Math.ceil)}, over the ${megabytes(limit, Math.floor)} limit; resize or compress it and drop it again.`,
    );
  }
  /** Limit by decoded size in pixels. */
  static pixels(file: string, width: number, height: number, limit: number): FileTooLargeError {
    const mp = (limit / 1e6).toFixed(0);
    return new FileTooLargeError(
      `${file} is ${width}×${height} pixels, over the ${mp}-megapixel limit; resize it and drop it again.`,
    );
  }
}

/** The bytes are not an image format the browser can decode. */
export class UnsupportedFileError extends HotlensError {
  override readonly name = 'UnsupportedFileError';
  constructor(file: string) {
    super(`${file} is not a JPEG, PNG, WebP, GIF, BMP or AVIF image; choose a photo file.`);
  }
}

/** The bytes look like an image but do not decode (truncated download, corrupt file). */
export class ImageDecodeError extends HotlensError {
  override readonly name = 'ImageDecodeError';
  constructor(file: string, format: string) {
    super(
      `${file} looks like a ${format} but could not be decoded (truncated or corrupt); re-export or re-download it.`,
    );
  }
}

/** A model could not be fetched or its session could not be created. */
export class ModelLoadError extends HotlensError {
  override readonly name = 'ModelLoadError';
  constructor(what: string, reason: string) {
    // Reasons are often sentences of their own: do not end up with "retries.. Check".
    super(`Could not load ${what}: ${reason.replace(/\.+$/, '')}. Check your connection and reload the page.`);
  }
}

/** A model file's size or SHA-256 does not match the manifest. */
export class ModelIntegrityError extends HotlensError {
  override readonly name = 'ModelIntegrityError';
  constructor(what: string, reason: string) {
    super(`${what} failed its integrity check (${reason}); it was not loaded. Reload the page to fetch it again.`);
  }
}

/** A model's inputs/outputs do not fit its task contract. */
export class ModelContractError extends HotlensError {
  override readonly name = 'ModelContractError';
  constructor(what: string, problems: readonly string[]) {
    super(`${what} does not fit its task: ${problems.join('; ')}. Publish a compatible version.`);
  }
}

/** The runtime could not create a session from a model file (unsupported operator, corrupt graph). */
export class ModelCompileError extends HotlensError {
  override readonly name = 'ModelCompileError';
  constructor(what: string, reason: string) {
    super(
      `${what} could not be compiled by the inference runtime (${reason}); publish a file onnxruntime-web can load.`,
    );
  }
}

/** A model version gave the wrong answer on its probe image (the manifest's smoke test). */
export class ModelProbeError extends HotlensError {
  override readonly name = 'ModelProbeError';
  constructor(what: string, problems: readonly string[]) {
    super(
      `${what} failed its self-test on the probe image: ${problems.join('; ')}. It was not used; publish a fixed version.`,
    );
  }
}

/**
 * A probe image could not be fetched, or its bytes are not the ones the signed manifest names
 * (a replaced file, a login portal's page, a broken connection). Never the model's fault: the
 * version is not condemned, and the probe is run again later.
 */
export class ProbeAssetError extends HotlensError {
  override readonly name = 'ProbeAssetError';
  constructor(image: string, reason: string) {
    super(
      `The probe image ${image} could not be used (${reason.replace(/\.+$/, '')}); the model is not condemned and its check is tried again later (at start-up: check your connection, then choose Retry or reload).`,
    );
  }
}

const RUNTIME_PREFIX = /^Model (\S+?)@(\S+) failed while serving/;

/**
 * A serving model threw or produced unusable (e.g. non-finite) outputs. The message names the
 * model in a fixed form, because Comlink keeps only name and message: {@link failedModelOf}
 * reads it back so the bridge can count failures per model and roll back the right one.
 */
export class ModelRuntimeError extends HotlensError {
  override readonly name = 'ModelRuntimeError';
  constructor(id: string, version: string, detail: string) {
    super(`Model ${id}@${version} failed while serving (${detail}); it is rolled back automatically if this repeats.`);
  }
}

/** The model id a {@link ModelRuntimeError} (or its Comlink copy) names, else null. */
export function failedModelOf(err: unknown): { id: string; version: string } | null {
  if (!hasErrorName(err, 'ModelRuntimeError')) return null;
  const m = RUNTIME_PREFIX.exec(String((err as { message?: unknown }).message ?? ''));
  return m ? { id: m[1]!, version: m[2]! } : null;
}

/** A run was requested before the models finished loading. */
export class EngineNotReadyError extends HotlensError {
  override readonly name = 'EngineNotReadyError';
  constructor() {
    super('The models are not loaded yet; wait for the status to say "ready" and try again.');
  }
}

/** The inference worker died (out of memory, crash); the bridge restarts it on the next call. */
export class WorkerCrashedError extends HotlensError {
  override readonly name = 'WorkerCrashedError';
  constructor(reason: string) {
    super(`The inference worker stopped (${reason}); it restarts on the next request, so try again.`);
  }
}

/** The user or browser policy refused camera access. */
export class CameraDeniedError extends HotlensError {
  override readonly name = 'CameraDeniedError';
  constructor() {
    super('Camera access was denied; allow the camera in the browser’s site settings, or use photos instead.');
  }
}

/** No camera is connected. */
export class CameraNotFoundError extends HotlensError {
  override readonly name = 'CameraNotFoundError';
  constructor() {
    super('No camera was found; connect one and try again, or use photos instead.');
  }
}

/** The camera exists but another application holds it or it failed to start. */
export class CameraBusyError extends HotlensError {
  override readonly name = 'CameraBusyError';
  constructor(detail: string) {
    super(`The camera could not be started (${detail}); close other apps using it and try again.`);
  }
}

/** The camera stopped delivering frames (unplugged, revoked). */
export class CameraEndedError extends HotlensError {
  override readonly name = 'CameraEndedError';
  constructor() {
    super('The camera stopped (unplugged or access revoked); reconnect it and start the camera again.');
  }
}

/** The page cannot use a camera here (no getUserMedia, insecure context). */
export class CameraUnsupportedError extends HotlensError {
  override readonly name = 'CameraUnsupportedError';
  constructor() {
    super('This browser cannot open a camera on this page (it needs https or localhost); use photos instead.');
  }
}
