/**
 * @file `npm run registry-server -- --root DIR [--port N] [--profile registry|app]`: serves a
 * model registry (default profile) or a built app folder with the headers a deployment should
 * send (see static-server.ts), logging one line per request. For trying hot updates by hand:
 * serve a registry, open the app with `?registry=http://127.0.0.1:PORT/&poll=1000`, then
 * `npm run publish-model -- --registry DIR …` and watch the Models tab.
 */
import { parseArgs } from 'node:util';
import { startStaticServer, type HeaderProfile } from './static-server.ts';

const USAGE = 'usage: npm run registry-server -- --root DIR [--port N] [--profile registry|app]';

async function main(): Promise<number> {
  let values: { root?: string; port?: string; profile?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        root: { type: 'string' },
        port: { type: 'string' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.root) {
    console.error(`--root is required\n${USAGE}`);
    return 2;
  }
  const profile = (values.profile ?? 'registry') as HeaderProfile;
  if (profile !== 'registry' && profile !== 'app') {
    console.error(`--profile must be "registry" or "app"\n${USAGE}`);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number\n${USAGE}`);
    return 2;
  }
  const server = await startStaticServer({ root: values.root, profile, port });
  console.log(`serving ${values.root} as ${profile} on ${server.url} (Ctrl-C stops)`);
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
