/**
 * @file Which session serves each model id, and who is using which session. The pipeline worker
 * stages sessions in sets (a candidate and its host), flips a set's models into the routes
 * between two analyses, and retires what they replace as a set of its own that can be drained
 * (no analysis or photo batch holding it) and then released. An analysis takes a lease on the
 * sessions it uses at its start, so a flip never changes the models under a running analysis.
 * Pure bookkeeping: no workers, no runtime, unit-tested in Node.
 */
import type { HostedModel } from '../../shared/model-host-api.ts';
import type { ModelSpec } from '../../shared/worker-api.ts';

/** One session in a model host. `H` identifies the host. */
export interface Session<H> {
  /** Unique key, also the key inside its host ("face-detector@1.0.0#4"). */
  key: string;
  spec: ModelSpec;
  host: H;
  hosted: HostedModel;
  warmupMs: number;
  /** It has run once already (its probe): kernels chosen and buffers allocated, no warm-up run needed. */
  warm?: boolean;
  /** Analyses and photo batches holding it. */
  uses: number;
}

/** Sessions leased for one analysis or one photo batch, by model id. */
export interface Lease<H> {
  sessions: Readonly<Record<string, Session<H>>>;
  release(): void;
}

/** The session table of one pipeline worker. */
export class SessionTable<H> {
  private readonly sessions = new Map<string, Session<H>>();
  private readonly routes = new Map<string, string>();
  private readonly sets = new Map<string, string[]>();
  private readonly drains = new Set<() => void>();
  private nextSet = 1;
  private nextSession = 1;

  /** A fresh session key for `spec`. */
  sessionKey(spec: ModelSpec): string {
    return `${spec.id}@${spec.version}#${this.nextSession++}`;
  }

  /** Records loaded sessions as one set (not serving yet); returns the set key. */
  addSet(sessions: Session<H>[], prefix = 'set'): string {
    const key = `${prefix}-${this.nextSet++}`;
    for (const s of sessions) this.sessions.set(s.key, s);
    this.sets.set(
      key,
      sessions.map((s) => s.key),
    );
    return key;
  }

  /** The sessions of a set; throws for an unknown key. */
  set(key: string): Session<H>[] {
    const keys = this.sets.get(key);
    if (!keys) throw new Error(`no session set "${key}" (it was released, or never staged)`);
    return keys.map((k) => this.sessions.get(k)!);
  }

  /** True while `key` names a set. */
  hasSet(key: string): boolean {
    return this.sets.has(key);
  }

  /** The serving session of each routed model id. */
  serving(): Session<H>[] {
    return [...this.routes.values()].map((k) => this.sessions.get(k)!);
  }

  /** The session serving `id`, if any. */
  route(id: string): Session<H> | undefined {
    const k = this.routes.get(id);
    return k === undefined ? undefined : this.sessions.get(k);
  }

  /** Leases the serving sessions of `ids` (all routed ids when omitted). Missing ids are left out. */
  acquire(ids?: readonly string[]): Lease<H> {
    const sessions: Record<string, Session<H>> = {};
    for (const id of ids ?? [...this.routes.keys()]) {
      const s = this.route(id);
      if (s) sessions[id] = s;
    }
    return this.lease(sessions);
  }

  /** Leases given sessions (e.g. a batch's, or staged ones for a warm-up run). */
  lease(sessions: Record<string, Session<H>>): Lease<H> {
    const held = Object.values(sessions);
    for (const s of held) s.uses++;
    let done = false;
    return {
      sessions,
      release: () => {
        if (done) return;
        done = true;
        for (const s of held) s.uses--;
        for (const wake of [...this.drains]) wake();
      },
    };
  }

  private retiredSet(keys: string[]): string | null {
    if (keys.length === 0) return null;
    const key = `retired-${this.nextSet++}`;
    this.sets.set(key, keys);
    return key;
  }

  /**
   * Routes each model of set `key` to its session (the set stops being a set); returns the key
   * of a new set holding the sessions they replaced, or null when they replaced nothing.
   */
  flip(key: string): string | null {
    const sessions = this.set(key);
    const replaced: string[] = [];
    for (const s of sessions) {
      const old = this.routes.get(s.spec.id);
      if (old !== undefined && old !== s.key) replaced.push(old);
      this.routes.set(s.spec.id, s.key);
    }
    this.sets.delete(key);
    return this.retiredSet(replaced);
  }

  /** Removes the routes of `ids`; returns the key of a set holding their sessions, or null. */
  retire(ids: readonly string[]): string | null {
    const retired: string[] = [];
    for (const id of ids) {
      const k = this.routes.get(id);
      if (k === undefined) continue;
      this.routes.delete(id);
      retired.push(k);
    }
    return this.retiredSet(retired);
  }

  /** Resolves when no lease holds any session of set `key`. */
  drain(key: string): Promise<void> {
    const sessions = this.set(key);
    const idle = () => sessions.every((s) => s.uses === 0);
    if (idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!idle()) return;
        this.drains.delete(check);
        resolve();
      };
      this.drains.add(check);
    });
  }

  /** Forgets set `key` and its sessions (the caller releases them in their hosts); a routed session is never taken. */
  take(key: string): Session<H>[] {
    const sessions = this.set(key);
    const routed = new Set(this.routes.values());
    const stray = sessions.find((s) => routed.has(s.key));
    if (stray) throw new Error(`${stray.key} still serves; flip or retire it before releasing it`);
    this.sets.delete(key);
    for (const s of sessions) this.sessions.delete(s.key);
    return sessions;
  }

  /** Sessions on host `host` (e.g. to restore them after the host crashed). */
  onHost(host: H): Session<H>[] {
    return [...this.sessions.values()].filter((s) => s.host === host);
  }

  /** True when any session (serving, staged or retired) lives on `host`. */
  hostInUse(host: H): boolean {
    for (const s of this.sessions.values()) if (s.host === host) return true;
    return false;
  }
}
