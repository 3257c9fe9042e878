/**
 * @file Error mapping: worker errors arrive as plain {name, message} (what Comlink rebuilds),
 * camera failures as DOMException names; both become actionable messages.
 */
import { describe, expect, it } from 'vitest';
import { toUserError } from '../../src/store/user-error.ts';
import { cameraError } from '../../src/app/Webcam/camera-errors.ts';
import {
  EmptyFileError,
  ERROR_NAMES,
  ImageDecodeError,
  ModelLoadError,
  errorNameOf,
  hasErrorName,
} from '../../src/shared/errors.ts';

/** What Comlink hands the UI for an error thrown in the worker. */
function overComlink(err: Error): Error {
  return Object.assign(new Error(err.message), { name: err.name, stack: err.stack });
}

describe('toUserError', () => {
  it('maps worker errors by name, keeping the message', () => {
    const e = toUserError(overComlink(new EmptyFileError('a.jpg')));
    expect(e).toEqual({ name: 'EmptyFileError', title: 'Empty file', message: expect.stringContaining('a.jpg') });
    const d = toUserError(overComlink(new ImageDecodeError('b.jpg', 'JPEG')));
    expect(d.title).toBe('Corrupt image');
    expect(d.message).toMatch(/truncated or corrupt/);
  });

  it('reads as one sentence when the reason is a sentence of its own', () => {
    const e = new ModelLoadError('the models', 'registry unavailable; the next poll retries.');
    expect(e.message).toBe(
      'Could not load the models: registry unavailable; the next poll retries. Check your connection and reload the page.',
    );
  });

  it('gives unknown errors generic advice instead of dropping them', () => {
    const e = toUserError(new TypeError('x is undefined'));
    expect(e.name).toBe('TypeError');
    expect(e.message).toMatch(/^x is undefined — reload the page/);
    expect(toUserError('boom').message).toMatch(/^boom/);
  });

  it('has a distinct class name for every declared error name', () => {
    expect(new Set(ERROR_NAMES).size).toBe(ERROR_NAMES.length);
    expect(errorNameOf({ name: 'CameraDeniedError' })).toBe('CameraDeniedError');
    expect(errorNameOf({ name: 'Error' })).toBeNull();
    expect(hasErrorName(overComlink(new EmptyFileError('x')), 'EmptyFileError')).toBe(true);
  });
});

describe('cameraError', () => {
  it.each([
    ['NotAllowedError', 'CameraDeniedError', 'Camera blocked'],
    ['SecurityError', 'CameraDeniedError', 'Camera blocked'],
    ['NotFoundError', 'CameraNotFoundError', 'No camera found'],
    ['OverconstrainedError', 'CameraNotFoundError', 'No camera found'],
    ['NotReadableError', 'CameraBusyError', 'Camera unavailable'],
  ])('%s → %s', (domName, name, title) => {
    const err = cameraError({ name: domName, message: 'device says no' });
    expect(err.name).toBe(name);
    expect(toUserError(err).title).toBe(title);
  });

  it('tells the user to use photos when the camera is denied', () => {
    expect(cameraError({ name: 'NotAllowedError' }).message).toMatch(/use photos/);
  });
});
