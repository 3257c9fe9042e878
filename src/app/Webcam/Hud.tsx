/**
 * @file The webcam HUD: FPS and inference time (p50/p95 over the last 5 s), dropped frames,
 * backend and threads, the model versions producing the boxes, and one line per feature on
 * what the latest frame shows.
 */
import { useEffect, useState } from 'react';
import { summarize, STATS_WINDOW_MS } from '../../store/frame-stats.ts';
import { useAppStore } from '../../store/use-app-store.ts';

function ms(v: number | null): string {
  return v === null ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

/** The heads-up display over the camera view. */
export function Hud() {
  const samples = useAppStore((s) => s.camera.samples);
  const frames = useAppStore((s) => s.camera.frames);
  const info = useAppStore((s) => s.engine.info);
  const summary = useAppStore((s) => s.camera.summary);
  // Re-render once a second so FPS decays when frames stop.
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const stats = summarize(samples, Math.max(now, samples.at(-1)?.at ?? 0));
  return (
    <dl className="hud" data-testid="hud" aria-label="Live statistics">
      <div>
        <dt>FPS</dt>
        <dd data-testid="hud-fps">{stats.fps.toFixed(1)}</dd>
      </div>
      <div>
        <dt>Inference p50 / p95</dt>
        <dd>
          {ms(stats.p50)} / {ms(stats.p95)}
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
