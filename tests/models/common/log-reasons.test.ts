/**
 * @file Update-log reasons stay bounded wherever records are made or stored: the swap stages'
 * recorder, the service worker's manifest rows, the model store, and the refusal errors whose
 * reasons are stored, broadcast to every tab and shown. A long reason is cut (with "…") to
 * MAX_LOG_REASON_CHARS and loses control and bidi characters.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MANIFEST_LOG_MODEL, MAX_LOG_REASON_CHARS, type UpdateLogRecord } from '../../../src/shared/update-messages.ts';
import { ManifestRejected, RegistryUnavailable } from '../../../src/models/common/errors.ts';
import { StageRecorder, StageRejected } from '../../../src/models/common/stage-recorder.ts';
import { runUpdateCheck } from '../../../src/models/common/update-check.ts';
import { UNSAFE_CHARS } from '../../helpers/untrusted.ts';
import { freshStore, RecordingChannel } from '../../helpers/model-fixtures.ts';

const long = `\u202e${'r'.repeat(2_000_000)}`;
const bounded = (reason: string | undefined) => {
  expect(reason).toBeDefined();
  expect(reason!.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);
  expect(reason).toMatch(/^r+…$/);
  expect(reason).not.toMatch(UNSAFE_CHARS);
};

describe('update-log reasons', () => {
  it('are at most 500 characters', () => {
    expect(MAX_LOG_REASON_CHARS).toBe(500);
  });

  it('are cut by the swap stages recorder (every model stage record, and StageRejected)', async () => {
    const emitted: UpdateLogRecord[] = [];
    const rec = new StageRecorder({ id: 'face-detector', version: '2.0.0', sha256: 'a'.repeat(64) }, 'sw', (r) =>
      emitted.push(r),
    );
    rec.record('downloading', 'failed', 0, long);
    const err = await rec
      .run('compat-checked', () => {
        throw new Error(long);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageRejected);
    bounded((err as StageRejected).reason);
    expect((err as Error).message.length).toBeLessThan(MAX_LOG_REASON_CHARS + 40);
    expect(emitted).toHaveLength(2);
    for (const r of emitted) bounded(r.reason);
    bounded(new StageRejected('probed', long).reason);
  });

  it('are cut when stored, whoever made the record', async () => {
    const store = freshStore();
    const record: UpdateLogRecord = {
      time: 1,
      model: 'face-detector',
      version: '2.0.0',
      sha256: 'a'.repeat(64),
      stage: 'serving',
      outcome: 'rolled-back',
      reason: long,
      durationMs: 0,
      source: 'page',
    };
    await store.appendLog(record, { ...record, reason: undefined });
    const [first, second] = await store.getLog();
    bounded(first!.reason);
    expect(second!.reason).toBeUndefined();
  });

  it('are cut in the refusal errors that are stored, broadcast and shown', () => {
    bounded(new ManifestRejected(long).reason);
    bounded(new RegistryUnavailable(long).reason);
    expect(new ManifestRejected(long).message.length).toBeLessThan(MAX_LOG_REASON_CHARS + 150);
  });

  it("are cut in the service worker's manifest rows, message and stored refusal", async () => {
    const store = freshStore();
    const channel = new RecordingChannel();
    // A registry URL of 100 KB (a crafted ?registry= link) ends up in the reason.
    const registryUrl = `https://registry.test/${'d'.repeat(100_000)}/`;
    const unreachable = async () => {
      throw new TypeError('fetch failed');
    };
    await runUpdateCheck({ store, channel, registryUrl, fetch: unreachable });
    const rows = (await store.getLog()).filter((r) => r.model === MANIFEST_LOG_MODEL);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.reason!.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);
    for (const m of channel.ofType('log'))
      expect(m.record.reason!.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);
    expect(channel.ofType('registry-unavailable')[0]!.reason.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);

    const refused = async () => new Response(JSON.stringify({ schema: 1, [long]: 1 }), { status: 200 });
    await runUpdateCheck({ store, channel, registryUrl, fetch: refused });
    const refusal = (await store.getLog()).filter((r) => r.model === MANIFEST_LOG_MODEL).at(-1)!;
    expect(refusal.outcome).toBe('rejected');
    expect(refusal.reason!.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);
    expect(channel.ofType('manifest-rejected').at(-1)!.reason.length).toBeLessThanOrEqual(MAX_LOG_REASON_CHARS + 1);
  });
});
