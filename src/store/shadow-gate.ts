/**
 * @file The shadow gate of registry versions whose manifest entry asks for one (`shadow:
 * {frames, minAgreement}`): after the candidate is warmed up and before its flip, it runs in
 * shadow of the serving version on `frames` sampled live webcam frames, or, with the camera off,
 * on the probe image and the photos on screen. The comparison's agreement (the lowest of its
 * shares, src/shared/compare/report.ts) must reach `minAgreement`, else the model manager rejects
 * it at stage `shadowed` (logged, shown, never retried).
 */
import { FEATURES } from '../features/index.ts';
import { inferenceClient } from '../inference/client/inference-client.ts';
import type { ShadowGateRequest, ShadowGateRunner } from '../models/page/model-manager.ts';
import { describeReport, ShadowTally } from '../shared/compare/report.ts';
import { featuresUsing } from '../shared/feature-set.ts';
import type { ShadowRun } from '../shared/worker-api.ts';
import { appStore } from './app-store.ts';
import { addShadowJob, shadowPhotoDone } from './shadow-session.ts';

/** Longest wait for the gate's live frames (ms per frame asked; a loaded phone may annotate one frame a second). */
const MS_PER_FRAME = 15_000;

const cameraOn = () => appStore.getState().camera.phase === 'on';

function tallyFor(request: ShadowGateRequest): ShadowTally {
  const { spec, serving } = request;
  const tally = new ShadowTally({
    model: spec.id,
    task: spec.task,
    candidate: { version: spec.version, sha256: spec.sha256 },
    features: featuresUsing(FEATURES, spec.id),
  });
  tally.serving = serving ? { version: serving.version, sha256: serving.sha256 } : null;
  return tally;
}

const add = (tally: ShadowTally, kind: 'frame' | 'photo' | 'probe', serving: Record<string, unknown>, s: ShadowRun) =>
  tally.add({
    kind,
    serving,
    candidate: s.results,
    modelMs: s.modelMs,
    ...(s.error !== undefined ? { error: s.error } : {}),
    at: Date.now(),
  });

/** Compares on live frames until `frames` were compared, the camera stops, or time runs out. */
function onLiveFrames(request: ShadowGateRequest, tally: ShadowTally): Promise<void> {
  const { gate, key, spec } = request;
  return new Promise((resolve) => {
    let remove: () => void = () => undefined;
    const done = () => {
      clearInterval(watch);
      clearTimeout(limit);
      remove();
      resolve();
    };
    remove = addShadowJob({
      target: { key, id: spec.id },
      priority: 1,
      compared: (kind, serving, shadow) => {
        add(tally, kind, serving, shadow);
        if (tally.count('frame') >= gate.frames) done();
      },
    });
    const watch = setInterval(() => {
      if (!cameraOn()) done();
    }, 500);
    const limit = setTimeout(done, gate.frames * MS_PER_FRAME);
  });
}

/** Compares on the probe image and every annotated photo on screen. */
async function onStillImages(request: ShadowGateRequest, tally: ShadowTally): Promise<void> {
  const target = { key: request.key, id: request.spec.id };
  const features = appStore.getState().features.serving;
  const pair = await inferenceClient.shadowProbe(target, features);
  add(tally, 'probe', pair.serving, pair.shadow);
  const remove = addShadowJob({ target, priority: 1, compared: (kind, s, shadow) => add(tally, kind, s, shadow) });
  try {
    for (const photo of appStore.getState().photos.items.filter((p) => p.status === 'done')) {
      shadowPhotoDone(await inferenceClient.analyzePhoto(photo.file, photo.name, features, target));
    }
  } finally {
    remove();
  }
}

/** The gate runner the model manager calls for a version that asks for a shadow comparison. */
export const runShadowGate: ShadowGateRunner = async (request) => {
  const tally = tallyFor(request);
  if (cameraOn()) await onLiveFrames(request, tally);
  if (tally.count('frame') < request.gate.frames) await onStillImages(request, tally);
  const report = tally.report();
  const where = tally.count('frame') >= request.gate.frames ? 'live frames' : 'the probe image and photos';
  const note = `${describeReport(report)}; bar ${request.gate.minAgreement} on ${where}`;
  const below = report.agreement === null || report.agreement < request.gate.minAgreement;
  return {
    problems: below
      ? [
          `agreement with the serving version ${report.agreement === null ? 'could not be measured' : report.agreement.toFixed(2)} is below the bar ${request.gate.minAgreement} (${note})`,
        ]
      : [],
    note,
  };
};
