/**
 * @file Maps getUserMedia failures (DOMException names) to hotlens camera errors, whose
 * messages tell the user what to do. Pure: the DOMException is read by name only.
 */
import {
  CameraBusyError,
  CameraDeniedError,
  CameraNotFoundError,
  CameraUnsupportedError,
  type HotlensError,
} from '../../shared/errors.ts';

/** The hotlens error for a getUserMedia rejection. */
export function cameraError(err: unknown): HotlensError {
  const name = typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name) : '';
  const message = typeof err === 'object' && err !== null ? String((err as { message?: unknown }).message ?? '') : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new CameraDeniedError();
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new CameraNotFoundError();
    case 'CameraUnsupportedError':
      return new CameraUnsupportedError();
    default:
      return new CameraBusyError(message || name || 'unknown reason');
  }
}
