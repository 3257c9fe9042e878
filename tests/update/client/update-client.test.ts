/**
 * @file The page-side update client with a stand-in for workbox-window: app-shell updates
 * only prompt (reload happens only after accept), checks and settings go to the service
 * worker, focus and ticks poke it, and dispose stops everything.
 */
import { describe, expect, it } from 'vitest';
import type { CheckSummary } from '../../../src/shared/update-messages.ts';
import {
  createUpdateClient,
  type ShellUpdatePrompt,
  type WorkboxLike,
} from '../../../src/update/client/update-client.ts';

class FakeWorkbox implements WorkboxLike {
  readonly sent: object[] = [];
  readonly listeners = new Map<string, Array<(e: unknown) => void>>();
  registered = 0;
  skipWaitingSent = 0;
  reply: unknown = { ok: true, serial: 3, changed: false, ready: [], rejected: [] } satisfies CheckSummary;
  addEventListener(type: string, listener: (e: unknown) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string) {
    for (const l of this.listeners.get(type) ?? []) l({ type });
  }
  async register() {
    this.registered++;
    return {};
  }
  async messageSW(data: object) {
    this.sent.push(data);
    return (data as { type: string }).type === 'check-for-updates' ? this.reply : undefined;
  }
  messageSkipWaiting() {
    this.skipWaitingSent++;
  }
}

function setup(opts: { pollIntervalMs?: number; registryUrl?: string; stallTimeoutMs?: number } = {}) {
  const wb = new FakeWorkbox();
  let reloads = 0;
  const prompts: ShellUpdatePrompt[] = [];
  const intervals: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
  let focus: (() => void) | null = null;
  const client = createUpdateClient({
    workbox: wb,
    reload: () => void reloads++,
    onShellUpdate: (p) => prompts.push(p),
    page: {
      onFocus: (l) => {
        focus = l;
        return () => (focus = null);
      },
    },
    setInterval: (fn, ms) => {
      const h = { fn, ms, cleared: false };
      intervals.push(h);
      return h;
    },
    clearInterval: (h) => void ((h as { cleared: boolean }).cleared = true),
    ...opts,
  });
  return { wb, client, prompts, intervals, reloads: () => reloads, focus: () => focus };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('update client', () => {
  it('registers, sends settings, asks for a start check and ticks at half the interval', async () => {
    const t = setup({ pollIntervalMs: 1000, registryUrl: 'https://r.test/models/', stallTimeoutMs: 3000 });
    await t.client.start();
    await flush();
    expect(t.wb.registered).toBe(1);
    expect(t.wb.sent).toEqual([
      { type: 'configure', pollIntervalMs: 1000, registryUrl: 'https://r.test/models/', stallTimeoutMs: 3000 },
      { type: 'check-for-updates', reason: 'start' },
    ]);
    expect(t.intervals.map((i) => i.ms)).toEqual([500]);
    t.intervals[0]!.fn();
    t.focus()!();
    await flush();
    expect(t.wb.sent.slice(2)).toEqual([
      { type: 'check-for-updates', reason: 'tick' },
      { type: 'check-for-updates', reason: 'focus' },
    ]);
  });

  it('checkForUpdates returns the service worker’s summary, and fails clearly on a bad reply', async () => {
    const t = setup();
    await t.client.start();
    expect(await t.client.checkForUpdates()).toEqual(t.wb.reply);
    expect(t.wb.sent.at(-1)).toEqual({ type: 'check-for-updates', reason: 'user' });
    t.wb.reply = undefined;
    await expect(t.client.checkForUpdates()).rejects.toThrow(/no check result/);
  });

  it('never reloads for an app-shell update until the user accepts', async () => {
    const t = setup();
    await t.client.start();
    t.wb.emit('waiting');
    t.wb.emit('waiting');
    expect(t.prompts).toHaveLength(1);
    t.wb.emit('controlling'); // e.g. another tab accepted: still no reload here
    expect(t.reloads()).toBe(0);
    expect(t.wb.skipWaitingSent).toBe(0);
    t.prompts[0]!.accept();
    t.prompts[0]!.accept();
    expect(t.wb.skipWaitingSent).toBe(1);
    expect(t.reloads()).toBe(0);
    t.wb.emit('controlling');
    expect(t.reloads()).toBe(1);
  });

  it('keeps the current shell when the user dismisses the prompt', async () => {
    const t = setup();
    await t.client.start();
    t.wb.emit('waiting');
    t.prompts[0]!.dismiss();
    t.prompts[0]!.accept();
    t.wb.emit('controlling');
    expect(t.wb.skipWaitingSent).toBe(0);
    expect(t.reloads()).toBe(0);
  });

  it('dispose stops ticks and focus checks', async () => {
    const t = setup();
    await t.client.start();
    t.client.dispose();
    expect(t.intervals[0]!.cleared).toBe(true);
    expect(t.focus()).toBeNull();
  });
});
