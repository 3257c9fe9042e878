/**
 * @file The webcam HUD, over the last 5 s: the camera's frame rate, the annotated frame rate and
 * its share of the camera's frames, inference time (p50/p95), the share of frames on which the
 * detector ran (the rest were tracked); then the frame counters, backend and threads, the model
 * versions producing the boxes, and one line per feature on what the latest frame shows.
 */
import { useEffect, useState } from 'react';
import { summarize, STATS_WINDOW_MS } from '../../store/frame-stats.ts';
import { useAppStore } from '../../store/use-app-store.ts';

function ms(v: number | null): string {
  return v === null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** The heads-up display over the camera view. */
export function Hud() {
  const samples = useAppStore((s) => s.camera.samples);
  const deliveries = useAppStore((s) => s.camera.deliveries);
  const frames = useAppStore((s) => s.camera.frames);
  const info = useAppStore((s) => s.engine.info);
  const summary = useAppStore((s) => s.camera.summary);
  // Re-render once a second so the rates decay when frames stop.
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const stats = summarize(samples, Math.max(now, samples.at(-1)?.at ?? 0, deliveries.at(-1)?.at ?? 0), deliveries);
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
