/**
 * @file The webcam HUD, over the last 5 s: the camera's frame rate, the annotated frame rate and
 * its share of the camera's frames, inference time (p50/p95), the share of frames on which the
 * detector ran (the rest were tracked); then the frame counters, backend and threads, the model
 * versions producing the boxes, and one line per feature on what the latest frame shows.
 * The per-frame figures are read four times a second, not on every frame: rendering the HUD on
 * each store change (twice per camera frame) spent the page's thread on text nobody can read
 * at 15 changes a second, on the same thread that draws the video.
 */
import { useEffect, useState } from 'react';
import { appStore } from '../../store/app-store.ts';
import { summarize, STATS_WINDOW_MS } from '../../store/frame-stats.ts';
import type { AppState } from '../../store/types.ts';
import { useAppStore } from '../../store/use-app-store.ts';

/** How often the HUD re-reads the frame figures (ms). */
const HUD_REFRESH_MS = 250;

/** The camera state now, and when that is (performance.now). */
function readCamera(): { camera: AppState['camera']; now: number } {
  return { camera: appStore.getState().camera, now: performance.now() };
}

/** The camera state as of the latest refresh. */
function useCameraSnapshot(): ReturnType<typeof readCamera> {
  const [snapshot, setSnapshot] = useState(readCamera);
  useEffect(() => {
    const t = setInterval(() => setSnapshot(readCamera()), HUD_REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  return snapshot;
}

function ms(v: number | null): string {
  return v === null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** The heads-up display over the camera view. */
export function Hud() {
  // The refresh also lets the rates decay when frames stop.
  const {
    camera: { samples, deliveries, frames, summary },
    now,
  } = useCameraSnapshot();
  const info = useAppStore((s) => s.engine.info);
  // `now` is read with the snapshot, so no sample in it is later.
  const stats = summarize(samples, now, deliveries);
  return (
    <dl className="hud" data-testid="hud" aria-label="Live statistics">
      <div>
        <dt>Camera</dt>
        <dd>
          <span data-testid="hud-camera-fps">{stats.cameraFps.toFixed(1)}</span> fps
        </dd>
      </div>
      <div>
        <dt>Annotated</dt>
        <dd>
          <span data-testid="hud-fps">{stats.fps.toFixed(1)}</span> fps
          {stats.annotatedRatio === null ? '' : ` · ${percent(stats.annotatedRatio)}`}
        </dd>
      </div>
      <div>
        <dt>Inference p50 / p95</dt>
        <dd>
          {ms(stats.p50)} / {ms(stats.p95)}
        </dd>
      </div>
      <div>
        <dt>Detector</dt>
        <dd data-testid="hud-detector-share">
          {stats.detectorShare === null ? '—' : `${percent(stats.detectorShare)} of frames`}
        </dd>
      </div>
      <div>
        <dt>Frames</dt>
        <dd>
          {frames.processed} done · {frames.dropped} dropped{frames.errors ? ` · ${frames.errors} failed` : ''}
        </dd>
      </div>
      <div>
        <dt>Backend</dt>
        <dd>{info ? `${info.backend.toUpperCase()} × ${info.threads}` : '—'}</dd>
      </div>
      <div className="hud__models">
        <dt>Models</dt>
        <dd>
          {info
            ? Object.values(info.models)
                .map((m) => `${m.id} ${m.version}`)
                .join(' · ')
            : '—'}
        </dd>
      </div>
      {Object.entries(summary).map(([feature, line]) => (
        <div key={feature} className="hud__caption" data-testid={`hud-${feature}`}>
          <dt>{feature}</dt>
          <dd>{line}</dd>
        </div>
      ))}
      <p className="hud__note">Window: last {STATS_WINDOW_MS / 1000} s</p>
    </dl>
  );
}
