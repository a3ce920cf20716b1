// The edge's proxy hop alone (issue 6): the edge's ProxyMiddleware on Express, OpenTelemetry started
// as the edge starts it, in front of a bare upstream that answers 202 at once; 50 connections POST
// an agentless request for BENCH_EDGE_HOP_SECONDS (default 10). Prints requests/s, p99 and the
// edge process's CPU milliseconds per request (the steadier figure on a shared machine). No token
// check, no rate limit, no Kafka: what the proxy costs, Express and the HTTP instrumentation included.
//
//   node dist/bench/edge-hop.js                                   (this build's proxy)
//   BENCH_EDGE_DIST=/path/to/other/dist node dist/bench/edge-hop.js (another build's, e.g. main's, as the baseline)
import autocannon from 'autocannon';
import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { cpuSeconds } from './process-cpu';

const EDGE_PORT = 28980;
const UPSTREAM_PORT = 28981;
const PATH = '/api/v2/conversations/messages/agentless';

function upstream(): void {
  createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"id":"0b0c8a52-5a62-4d6f-9a4e-1f7f7a0b5d11"}');
    });
  }).listen(UPSTREAM_PORT, '127.0.0.1', () => process.send!('ready'));
}

/** The edge's middleware from `dist` (a build's output folder), mounted as the edge mounts it under /api. */
function edge(dist: string): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- the build to measure is chosen at run time */
  require(join(dist, 'apps/edge/src/instrument.js'));
  const express = require('express') as typeof import('express');
  const { ProxyMiddleware } = require(join(dist, 'apps/edge/src/routing/proxy.middleware.js')) as typeof import('../apps/edge/src/routing/proxy.middleware');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const proxy = new ProxyMiddleware([{ prefix: PATH, target: `http://127.0.0.1:${UPSTREAM_PORT}` }], 10 * 1024 * 1024, 2 * 1024 ** 3, 30_000);
  const app = express();
  app.use('/api', (req, res, next) => proxy.use(req, res, next));
  createServer(app).listen(EDGE_PORT, '127.0.0.1', () => process.send!('ready'));
}

async function start(...args: string[]): Promise<ChildProcess> {
  const child = fork(__filename, args);
  await once(child, 'message');
  return child;
}

async function main(): Promise<void> {
  const dist = resolve(process.env['BENCH_EDGE_DIST'] ?? join(__dirname, '..'));
  const seconds = Number(process.env['BENCH_EDGE_HOP_SECONDS'] ?? 10);
  const children = [await start('upstream'), await start('edge', dist)];
  try {
    const load = {
      url: `http://127.0.0.1:${EDGE_PORT}${PATH}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-checked-here' },
      body: JSON.stringify({ fromAddress: '+12025550100', toAddress: '+12025550147', toAddressMessengerType: 'sms', textBody: 'Your verification code is 481516.' }),
      connections: 50,
    };
    await autocannon({ ...load, duration: 3 }); // warm-up
    const pid = children[1]!.pid!;
    const before = cpuSeconds(pid)!;
    const r = await autocannon({ ...load, duration: seconds });
    const cpuMs = (cpuSeconds(pid)! - before) * 1000;
    console.log(JSON.stringify({ case: 'edge-proxy-hop', dist, requestsPerSecond: Math.round(r.requests.total / r.duration), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors, edgeCpuMsPerRequest: Math.round((cpuMs / r.requests.total) * 1000) / 1000 }));
  } finally {
    for (const child of children) child.kill();
  }
}

const [role, arg] = process.argv.slice(2);
if (role === 'upstream') upstream();
else if (role === 'edge') edge(arg!);
else if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
