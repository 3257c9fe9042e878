/**
 * @file The swap figures' arithmetic on hand-made samples: frame intervals from the app's
 * annotated-frame times, the stage a gap falls in (update-log records end their stage), long animation frames in
 * a window, and CPU per browser thread in a window (the pipeline worker is the worker thread alive
 * all session; a worker thread born during the swap is the new host).
 */
import { describe, expect, it } from 'vitest';
import type { UpdateLogRecord } from '../../src/shared/update-messages.ts';
import type { AnnotatedFrameTime } from '../../src/app/hotlens-api.ts';
import type { LongFrame } from '../../bench/lib/page-probes.ts';
import {
  cpuIn,
  frameIntervals,
  longFramesIn,
  noSwapGaps,
  stageDurations,
  stageOf,
  stageSpans,
  threadRoles,
  versionIn,
} from '../../bench/lib/swap-analysis.ts';
import { pssByKind } from '../../bench/lib/process-memory.ts';
import type { CpuSample } from '../../bench/lib/thread-cpu.ts';
import { statCpuSeconds } from '../../bench/lib/thread-cpu.ts';

const frame = (at: number, version = '1.0.0'): AnnotatedFrameTime => ({
  at,
  models: `face-attributes@1.0.0 face-detector@${version} face-expression@1.0.0`,
});

const record = (stage: UpdateLogRecord['stage'], time: number, durationMs: number): UpdateLogRecord => ({
  time,
  model: 'face-detector',
  version: '1.0.1',
  sha256: 'ab',
  stage,
  outcome: 'ok',
  durationMs,
  source: 'worker',
});

describe('frame intervals', () => {
  it('gives the interval between each pair of annotated frames, with the version that annotated the later one', () => {
    const frames = [frame(1000), frame(1100), frame(1400, '1.0.1'), frame(1467, '1.0.1')];
    expect(frameIntervals(frames, 'face-detector').map((iv) => [iv.from, iv.to, iv.ms, iv.version])).toEqual([
      [1000, 1100, 100, '1.0.0'],
      [1100, 1400, 300, '1.0.1'],
      [1400, 1467, 67, '1.0.1'],
    ]);
  });

  it('reads a model’s version out of a frame’s models key, or null when that model did not run', () => {
    expect(versionIn('face-detector@2.0.0 face-expression@1.0.0', 'face-detector')).toBe('2.0.0');
    expect(versionIn('face-detector@2.0.0', 'face-expression')).toBeNull();
    expect(versionIn('object-detector@1.0.0', 'object')).toBeNull();
  });
});

describe('the no-swap control', () => {
  it('keeps the phase’s intervals that overlap no swap window, and counts those over the bound', () => {
    // Frames every 70 ms, one 150 ms gap at 500 (no swap) and one 210 ms gap at 1200 (in a swap).
    const at = [0, 70, 140, 210, 280, 350, 500, 570, 640, 710, 780, 850, 920, 990, 1200, 1270, 1340];
    const intervals = frameIntervals(
      at.map((t) => frame(t)),
      'face-detector',
    );
    const swap = { from: 1000, to: 1300 };
    const c = noSwapGaps(intervals, { from: 0, to: 1340 }, [swap], 105);
    expect(c.maxGapMs).toBe(150);
    expect(c.overBound).toBe(1);
    // 990 → 1200 and the two after it touch the swap, 0 → 990 does not.
    expect(c.ms).toBe(990);
    expect(noSwapGaps(intervals, { from: 0, to: 1340 }, [swap, { from: 400, to: 600 }], 105).maxGapMs).toBe(70);
  });
});

describe('stages', () => {
  const log = [record('compiling', 2000, 800), record('probed', 2300, 300), record('warmed', 2500, 200)];
  it('puts a gap in the stage it shares most time with', () => {
    const spans = stageSpans(log, 'face-detector', { from: 1000, to: 3000 });
    expect(stageOf({ from: 1900, to: 2250 }, spans)).toBe('probed');
    expect(stageOf({ from: 1300, to: 1500 }, spans)).toBe('compiling');
    expect(stageOf({ from: 2600, to: 2800 }, spans)).toBe('between stages');
  });

  it('sums the ok stage durations of a window', () => {
    expect(stageDurations(log, 'face-detector', { from: 1000, to: 2400 })).toEqual({ compiling: 800, probed: 300 });
  });
});

describe('long animation frames', () => {
  it('counts the frames overlapping a window and ranks their scripts', () => {
    const frames: LongFrame[] = [
      [1000, 80, 30, [{ invoker: 'IDBRequest.onsuccess', source: 'index.js', ms: 60 }]],
      [2000, 120, 70, [{ invoker: 'MessagePort.onmessage', source: 'index.js', ms: 100 }]],
      [5000, 60, 10, []],
    ];
    const got = longFramesIn(frames, { from: 1050, to: 2100 });
    expect(got).toMatchObject({ count: 2, ms: 200, blockingMs: 100 });
    expect(got.scripts.map((s) => s.script)).toEqual([
      'MessagePort.onmessage (index.js)',
      'IDBRequest.onsuccess (index.js)',
    ]);
  });
});

describe('CPU per thread', () => {
  const t = (tid: number, comm: string, cpu: number, main = false) => ({ tid, comm, cpu, main });
  const samples: CpuSample[] = [
    {
      at: 0,
      others: 1,
      threads: [t(1, 'chromium', 1, true), t(10, 'DedicatedWorker', 2), t(11, 'DedicatedWorker', 3)],
    },
    {
      at: 1000,
      others: 1.1,
      threads: [t(1, 'chromium', 1.2, true), t(10, 'DedicatedWorker', 2.3), t(11, 'DedicatedWorker', 3.1)],
    },
    {
      at: 2000,
      others: 1.2,
      threads: [
        t(1, 'chromium', 1.5, true),
        t(10, 'DedicatedWorker', 2.6),
        t(11, 'DedicatedWorker', 3.2),
        t(12, 'DedicatedWorker', 0.4),
      ],
    },
    {
      at: 3000,
      others: 1.3,
      threads: [t(1, 'chromium', 1.6, true), t(10, 'DedicatedWorker', 2.9), t(12, 'DedicatedWorker', 0.6)],
    },
  ];

  it('knows the pipeline worker (alive all session) and when each thread appeared', () => {
    const roles = threadRoles(samples);
    expect(roles.pipelineTid).toBe(10);
    expect(roles.firstSeen.get(12)).toBe(2000);
    expect(roles.firstSeen.get(11)).toBe(-Infinity);
  });

  it('splits a window’s CPU into main thread, pipeline worker, serving and new host, other processes', () => {
    const roles = threadRoles(samples);
    expect(cpuIn(samples, roles, { from: 1000, to: 3000 })).toEqual({
      main_thread: 400,
      pipeline_worker: 600,
      serving_host: 100,
      new_host: 600,
      browser_processes: 200,
    });
    expect(cpuIn(samples, roles, { from: 3000, to: 3000 })).toBeNull();
    // Threads there from the start are never "new", whatever the window.
    expect(cpuIn(samples, roles, { from: 0, to: 1000 })).toEqual({
      main_thread: 200,
      pipeline_worker: 300,
      serving_host: 100,
      browser_processes: 100,
    });
  });

  it('reads /proc stat lines whose command holds spaces and parentheses', () => {
    const line = '123 (Dedicated (x) y) S 1 1 1 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100';
    expect(statCpuSeconds(line)).toBe(3);
  });
});

describe('renderer memory by kind of mapping', () => {
  it('sums PSS per named, executable, anonymous and file mapping', () => {
    const smaps = [
      '7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ',
      'Pss:                1024 kB',
      'Pss_Dirty:          1024 kB',
      '7f0000100000-7f0000200000 r-xp 00000000 00:00 0 ',
      'Pss:                 512 kB',
      '7f0000200000-7f0000300000 r--p 00000000 08:01 42       /usr/lib/chromium/chromium',
      'Pss:                 256 kB',
      '7f0000300000-7f0000400000 rw-p 00000000 00:00 0        [anon:partition_alloc]',
      'Pss:                 128 kB',
      '7f0000400000-7f0000500000 rw-p 00000000 00:00 0        [anon:partition_alloc]',
      'Pss:                 128 kB',
      '7f0000500000-7f0000600000 rw-s 00000000 00:01 7        /memfd:shared-memory-region (deleted)',
      'Pss:                  64 kB',
    ].join('\n');
    expect(pssByKind(smaps)).toEqual({
      anon: 1024 * 1024,
      code: 512 * 1024,
      file: 256 * 1024,
      '[anon:partition_alloc]': 256 * 1024,
      'memfd:shared-memory-region': 64 * 1024,
    });
  });
});
