/**
 * @file A model registry the test controls: a private copy of the base registry (three models
 * at 1.0.0, published in globalSetup), served over HTTP on its own origin by the registry
 * server with the headers a CDN should send, and changed during the test the way a model team
 * would: `npm run publish-model`. The app follows it with `?registry=<url>&poll=1000`. Tests can
 * also make it misbehave like a broken CDN or network (`fault`: HTTP errors, corrupted,
 * truncated, dropped or stalled responses; see tools/registry-server/faults.ts).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../../src/shared/manifest-types.ts';
import {
  startStaticServer,
  type Fault,
  type ServedRequest,
  type StaticServer,
} from '../../tools/registry-server/static-server.ts';
import { resolveSigningKey } from '../../tools/keys/key-store.ts';
import { signManifest } from '../../tools/lib/signing.ts';
import { writeFileAtomic } from '../../tools/lib/registry-io.ts';
import { ARTIFACTS, BASE_REGISTRY } from './paths.ts';

const run = promisify(execFile);

/** Options of {@link TestRegistry.publish}. */
export interface PublishOptions {
  /** `FRAMES:MIN`: the version asks clients to run it in shadow first (publish-model --shadow). */
  shadow?: string;
  /** Publish as a canary for this percentage of clients. */
  canary?: number;
  /**
   * Changes the new manifest before it goes live (e.g. a wrong probe expectation); the result is
   * re-signed with the same key publish-model used, so it stays a valid signed manifest.
   */
  edit?: (manifest: Manifest) => void;
}

/** A served, publishable registry in a temporary directory. */
export class TestRegistry {
  private constructor(
    /** The registry folder on disk. */
    readonly dir: string,
    private readonly server: StaticServer,
  ) {}

  /** Copies the base registry and serves it on a free port. */
  static async start(): Promise<TestRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'hotlens-registry-'));
    cpSync(BASE_REGISTRY, dir, { recursive: true });
    return new TestRegistry(dir, await startStaticServer({ root: dir, profile: 'registry' }));
  }

  /** Base URL of the registry (ends in "/"). */
  get url(): string {
    return this.server.url;
  }

  /** Every request the registry answered, oldest first (service-worker and worker fetches included). */
  get requests(): readonly ServedRequest[] {
    return this.server.requests;
  }

  /** Requests for model blobs, optionally of one sha256. */
  blobRequests(sha256?: string): ServedRequest[] {
    return this.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/blobs/') && (!sha256 || r.path.includes(sha256)),
    );
  }

  /** The manifest as published now. */
  manifest(): Manifest {
    return JSON.parse(readFileSync(join(this.dir, 'manifest.json'), 'utf8')) as Manifest;
  }

  /**
   * Publishes `file` as `id@version` with `npm run publish-model` and returns when the new
   * manifest is live. publish-model runs against a staging copy and the result goes live only
   * after it exited (blobs and probes first, the manifest last, atomically), as on a real CDN: the
   * publisher's CPU work (contract checks, probe expectations, signing) is on another machine
   * than the user's, so it must not fall into the swap the page measures. With `edit`, the
   * staged manifest is edited and re-signed before it goes live.
   */
  async publish(id: string, version: string, file: string, options: PublishOptions = {}): Promise<{ sha256: string }> {
    const args = ['--id', id, '--version', version, '--file', file];
    if (options.canary !== undefined) args.push('--canary', String(options.canary));
    if (options.shadow !== undefined) args.push('--shadow', options.shadow);
    await this.publishModel(args, options.edit);
    const published = this.manifest().models[id]?.versions[version];
    if (!published) throw new Error(`publish-model did not add ${id} ${version}`);
    return { sha256: published.sha256 };
  }

  /** Runs `npm run publish-model -- --registry <staging copy> …args`, then makes the result live (see publish). */
  private async publishModel(publishArgs: string[], edit: PublishOptions['edit']): Promise<void> {
    const target = mkdtempSync(join(ARTIFACTS, 'staging-'));
    try {
      cpSync(this.dir, target, { recursive: true });
      const args = ['run', '--silent', 'publish-model', '--', '--registry', target, ...publishArgs];
      await run('npm', args, { maxBuffer: 1 << 20 });
      let text = readFileSync(join(target, 'manifest.json'), 'utf8');
      if (edit) {
        const manifest = JSON.parse(text) as Manifest;
        edit(manifest);
        delete manifest.signature;
        manifest.signature = signManifest(manifest, (await resolveSigningKey()).key);
        text = `${JSON.stringify(manifest, null, 2)}\n`;
      }
      for (const sub of ['blobs', 'probe']) {
        if (!existsSync(join(target, sub))) continue;
        for (const name of readdirSync(join(target, sub))) cpSync(join(target, sub, name), join(this.dir, sub, name));
      }
      await writeFileAtomic(join(this.dir, 'manifest.json'), text);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  }

  /**
   * Publishes a group, models that must change together (e.g. a face-model generation), in one
   * `npm run publish-model --group NAME --with …` (one manifest update) and returns each
   * member's sha256 once the new manifest is live.
   */
  async publishGroup(
    group: string,
    members: ReadonlyArray<{ id: string; version: string; file: string }>,
    options: Pick<PublishOptions, 'edit'> = {},
  ): Promise<Record<string, { version: string; sha256: string }>> {
    const [first, ...rest] = members;
    if (!first || rest.length === 0) throw new Error('a group has at least two members');
    const args = ['--id', first.id, '--version', first.version, '--file', first.file, '--group', group];
    for (const m of rest) args.push('--with', `${m.id}@${m.version}=${m.file}`);
    await this.publishModel(args, options.edit);
    const out: Record<string, { version: string; sha256: string }> = {};
    for (const m of members) {
      const published = this.manifest().models[m.id]?.versions[m.version];
      if (published?.group !== group) throw new Error(`publish-model did not add ${m.id} ${m.version} to ${group}`);
      out[m.id] = { version: m.version, sha256: published.sha256 };
    }
    return out;
  }

  // --- Fault injection (blob-faults and manifest-faults specs) ---

  /**
   * Makes the next `fault.times` (default 1) GETs whose path matches `fault.path` misbehave:
   * `status`, `body`, `flipBit`, `truncate`, `dropAfter` or `stallAfter` (faults.ts). Arm it
   * before publishing, so the service worker's first request already gets it.
   */
  fault(fault: Fault): void {
    this.server.fault(fault);
  }

  /** Disarms every fault not used yet. */
  clearFaults(): void {
    this.server.clearFaults();
  }

  /** The URL path a file is served at once published (`/blobs/sha256-<hex>.onnx`), and its size. */
  static blobOf(file: string): { path: string; sha256: string; bytes: number } {
    const bytes = readFileSync(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { path: `/blobs/sha256-${sha256}.onnx`, sha256, bytes: bytes.byteLength };
  }

  /**
   * The live manifest as JSON text after `edit` (for `body` faults: schema-invalid, missing
   * fields), re-signed with the key publish-model used: clients check the signature before the
   * schema, so only a signed manifest is refused for its content rather than its signature.
   */
  async manifestText(edit: (manifest: Record<string, unknown>) => void): Promise<string> {
    const manifest = JSON.parse(readFileSync(join(this.dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    edit(manifest);
    delete manifest.signature;
    manifest.signature = signManifest(manifest as unknown as Manifest, (await resolveSigningKey()).key);
    return JSON.stringify(manifest, null, 2);
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
