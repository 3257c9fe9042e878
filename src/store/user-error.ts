/**
 * @file Maps any thrown value to what the UI shows. Errors from the worker arrive as plain
 * `{name, message}` (Comlink drops the class), so the mapping switches on `name`; unknown
 * errors keep their message and get generic advice.
 */
import { errorNameOf, type HotlensErrorName } from '../shared/errors.ts';
import type { UserError } from './types.ts';

const TITLES: Record<HotlensErrorName, string> = {
  EmptyFileError: 'Empty file',
  FileTooLargeError: 'File too large',
  UnsupportedFileError: 'Not an image',
  ImageDecodeError: 'Corrupt image',
  ModelLoadError: 'Models failed to load',
  ModelIntegrityError: 'Model failed verification',
  ModelContractError: 'Incompatible model',
  ModelCompileError: 'Model could not be compiled',
  ModelProbeError: 'Model failed its self-test',
  ProbeAssetError: 'Probe image unavailable',
  ModelRuntimeError: 'Model failed while serving',
  EngineNotReadyError: 'Models still loading',
  WorkerCrashedError: 'Inference stopped',
  CameraDeniedError: 'Camera blocked',
  CameraNotFoundError: 'No camera found',
  CameraBusyError: 'Camera unavailable',
  CameraEndedError: 'Camera disconnected',
  CameraUnsupportedError: 'Camera not supported here',
};

/** Title and message for any error value. */
export function toUserError(err: unknown): UserError {
  const name = errorNameOf(err);
  const message =
    typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : String(err);
  if (name) return { name, title: TITLES[name], message };
  const rawName =
    typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name ?? 'Error') : 'Error';
  return {
    name: rawName,
    title: 'Something went wrong',
    message: `${message || 'Unknown error'} — reload the page; if it happens again, report it with this message.`,
  };
}
