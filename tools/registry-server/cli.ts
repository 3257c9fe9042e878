/**
 * @file `npm run registry-server -- --root DIR [--port N] [--profile registry|app]`: serves a
 * model registry (default profile) or a built app folder with the headers a deployment should
 * send (see static-server.ts), logging one line per request. For trying hot updates by hand:
 * serve a registry, open the app with `?registry=http://127.0.0.1:PORT/&poll=1000`, then
 * `npm run publish-model -- --registry DIR …` and watch the Models tab.
 */
import { startStaticServer, type HeaderProfile } from './static-server.ts';
import { parseCli, usageError } from '../lib/cli-args.ts';

const USAGE = 'usage: npm run registry-server -- --root DIR [--port N] [--profile registry|app]';

async function main(): Promise<number> {
  const spec = { command: 'registry-server', usage: USAGE };
  const args = parseCli(
    {
      ...spec,
      options: { root: { type: 'string' }, port: { type: 'string' }, profile: { type: 'string' } },
      required: ['root'],
    },
    process.argv.slice(2),
  );
  if (args.exitCode !== undefined) return args.exitCode;
  const { values } = args;
  const root = values.root!;
  const profile = (values.profile ?? 'registry') as HeaderProfile;
  if (profile !== 'registry' && profile !== 'app') return usageError(spec, '--profile must be "registry" or "app"');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(spec, '--port must be a port number');
  const server = await startStaticServer({ root, profile, port });
  console.log(`serving ${root} as ${profile} on ${server.url} (Ctrl-C stops)`);
  let shown = 0;
  setInterval(() => {
    for (const r of server.requests.slice(shown)) {
      const extra = [r.range, r.fault && `fault: ${r.fault}`].filter(Boolean).join(', ');
      console.log(`${r.method} ${r.path} ${r.status} ${r.bytes} B${extra ? ` (${extra})` : ''}`);
    }
    shown = server.requests.length;
  }, 250).unref();
  await new Promise<void>((done) => process.once('SIGINT', done));
  await server.close();
  return 0;
}

process.exitCode = await main();
