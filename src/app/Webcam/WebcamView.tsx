/**
 * @file The Webcam view: start/stop the camera, the live video with the annotated overlay and
 * the HUD. The overlay canvas shows each analysed frame together with its own boxes (in sync
 * by construction) and is scaled with the video to the displayed size. A candidate model running
 * in shadow may add its boxes, dashed ("show candidate" in the Models panel).
 */
import { useCallback, useEffect, useRef } from 'react';
import type { ShownFrame } from '../../inference/common/frames.ts';
import { inferenceClient } from '../../inference/client/inference-client.ts';
import type { FrameResult } from '../../shared/worker-api.ts';
import {
  cameraFailed,
  cameraOff,
  cameraOn,
  cameraStarting,
  frameDropped,
  frameFailed,
  frameProcessed,
  framesDelivered,
} from '../../store/camera-slice.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import { drawOverlay, fontForDisplay } from '../draw/draw-annotations.ts';
import { candidateOverlayFor, countsFor, overlayFor, summariesFor } from '../feature-views.ts';
import type { OverlayBox } from '../../shared/feature.ts';
import { shadowForFrame, shadowFrameDone } from '../../store/shadow-session.ts';
import { appStore } from '../../store/app-store.ts';
import { openCamera, type OpenCamera } from './camera.ts';
import { FrameLoop } from './frame-loop.ts';
import { Hud } from './Hud.tsx';
import { FeaturePicker } from '../FeaturePicker/FeaturePicker.tsx';
import './Webcam.css';

/** Props: a start request from elsewhere (the empty state's "Start the camera"). */
export interface WebcamViewProps {
  startRequest: number;
}

/** The Webcam panel content. */
export function WebcamView({ startRequest }: WebcamViewProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const cameraRef = useRef<OpenCamera | null>(null);
  const loopRef = useRef<FrameLoop | null>(null);
  // Bumped by stop(), so a camera that opens after the user pressed Stop is closed at once.
  const generation = useRef(0);
  const phase = useAppStore((s) => s.camera.phase);
  const error = useAppStore((s) => s.camera.error);
  const engineReady = useAppStore((s) => s.engine.phase === 'ready');
  const found = useAppStore((s) => s.camera.found);
  const videoSize = useAppStore((s) => s.camera.video);
  // The latest candidate boxes (shadow runs are sampled: they stay until the next compared frame).
  const candidateRef = useRef<OverlayBox[]>([]);

  const draw = useCallback((result: FrameResult<ShownFrame>) => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    if (canvas.width !== result.width || canvas.height !== result.height) {
      canvas.width = result.width;
      canvas.height = result.height;
    }
    const { frame } = result;
    if ('data' in frame) ctx.putImageData(new ImageData(frame.data, frame.width, frame.height), 0, 0);
    else ctx.drawImage(frame, 0, 0);
    // object-fit: contain — the frame is shown at the smaller of the two axis scales.
    const shown = Math.min(canvas.clientWidth / canvas.width, canvas.clientHeight / canvas.height) || 1;
    const fontPx = fontForDisplay(canvas.width, canvas.width * shown);
    if (result.shadow) candidateRef.current = candidateOverlayFor(result.shadow.results);
    const { trial } = appStore.getState();
    const candidate = trial.showCandidate && trial.phase === 'ready' ? candidateRef.current : [];
    drawOverlay(ctx, [...overlayFor(result), ...candidate], { scale: 1, fontPx });
    canvas.dataset.drawn = 'true';
  }, []);

  const stop = useCallback(() => {
    generation.current += 1;
    loopRef.current?.stop();
    loopRef.current = null;
    cameraRef.current?.stop();
    cameraRef.current = null;
    const canvas = canvasRef.current;
    if (canvas) {
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      delete canvas.dataset.drawn;
    }
  }, []);

  const start = useCallback(async () => {
    const video = videoRef.current;
    if (!video || cameraRef.current) return;
    const gen = generation.current;
    cameraStarting();
    try {
      const camera = await openCamera(video, (err) => {
        stop();
        cameraFailed(err);
      });
      if (gen !== generation.current) {
        camera.stop();
        return;
      }
      cameraRef.current = camera;
      cameraOn({ width: camera.width, height: camera.height });
    } catch (err) {
      if (gen !== generation.current) return;
      stop();
      cameraFailed(err);
    }
  }, [stop]);

  // The loop runs only while the camera is on and the models are warm.
  useEffect(() => {
    const video = videoRef.current;
    if (phase !== 'on' || !engineReady || !video) return;
    const loop = new FrameLoop(video, {
      // The features whose models serve now, read per frame: a feature turned on joins when its models are warm.
      // A candidate in shadow (a model file being tried, a gated update) runs on sampled frames.
      analyse: (frame) => inferenceClient.analyzeFrame(frame, appStore.getState().features.serving, shadowForFrame()),
      draw,
      release: (shown) => inferenceClient.releaseShown(shown),
      delivered: framesDelivered,
      processed: (sample, result) => {
        frameProcessed(sample, countsFor(result), summariesFor(result), countsFor(result, 'annotated'), result.models);
        shadowFrameDone(result);
      },
      dropped: frameDropped,
      failed: frameFailed,
    });
    loopRef.current = loop;
    loop.start();
    return () => loop.stop();
  }, [phase, engineReady, draw]);

  useEffect(() => {
    if (startRequest > 0) void start();
  }, [startRequest, start]);

  // Release the camera when the view goes away.
  useEffect(() => stop, [stop]);

  const on = phase === 'on' || phase === 'starting';
  return (
    <div className="webcam">
      <div className="toolbar">
        {on ? (
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              stop();
              cameraOff();
            }}
          >
            Stop camera
          </button>
        ) : (
          <button type="button" className="button button--primary" onClick={() => void start()}>
            Start camera
          </button>
        )}
        <FeaturePicker />
        {phase === 'on' && !engineReady && <span className="toolbar__note">Waiting for the models…</span>}
      </div>
      {error && phase === 'error' && (
        <div className="banner banner--error" role="alert" data-testid="camera-error">
          <h2 className="banner__title">{error.title}</h2>
          <p>{error.message}</p>
        </div>
      )}
      <div
        className={`stage${on ? ' stage--on' : ''}`}
        style={videoSize ? { aspectRatio: `${videoSize.width} / ${videoSize.height}` } : undefined}
      >
        <video ref={videoRef} className="stage__video" muted playsInline aria-hidden="true" />
        <canvas
          ref={canvasRef}
          className="stage__overlay"
          role="img"
          aria-label={found ? `Live camera with ${found}` : 'Live camera'}
          data-testid="overlay"
        />
        {!on && (
          <p className="stage__empty">
            The camera is off. Frames are analysed in this tab and never uploaded; stopping the camera releases it.
          </p>
        )}
      </div>
      {on && <Hud />}
    </div>
  );
}
