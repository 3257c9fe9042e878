/**
 * @file Opens and releases the webcam. Stopping stops every track, which is what turns the
 * camera light off; an `ended` track (unplugged, permission revoked) is reported once.
 */
import { CameraEndedError, CameraUnsupportedError } from '../../shared/errors.ts';
import { cameraError } from './camera-errors.ts';

/** An open camera attached to a video element. */
export interface OpenCamera {
  stream: MediaStream;
  width: number;
  height: number;
  /** Stops all tracks and detaches the stream; safe to call twice. */
  stop(): void;
}

/** Opens the default camera into `video`; `onEnded` fires if the camera goes away on its own. */
export async function openCamera(
  video: HTMLVideoElement,
  onEnded: (err: CameraEndedError) => void,
): Promise<OpenCamera> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraUnsupportedError();
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
    });
  } catch (err) {
    throw cameraError(err);
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  for (const track of stream.getVideoTracks()) {
    track.addEventListener('ended', () => {
      if (stopped) return;
      stop();
      onEnded(new CameraEndedError());
    });
  }
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  try {
    await video.play();
  } catch (err) {
    stop();
    throw cameraError(err);
  }
  if (video.videoWidth === 0) {
    await new Promise<void>((resolve) => video.addEventListener('loadedmetadata', () => resolve(), { once: true }));
  }
  return { stream, width: video.videoWidth, height: video.videoHeight, stop };
}
