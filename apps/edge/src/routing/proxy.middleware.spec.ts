import express from 'express';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ProxyMiddleware } from './proxy.middleware';

/** An upstream service and the edge's proxy in front of it, both on real local HTTP servers. */
let upstream: Server;
let edge: Server;
let proxy: ProxyMiddleware;
let edgeUrl: string;
/** What the upstream saw of the last request, and whether a request it was holding was cancelled. */
let seen: { url?: string; headers?: IncomingMessage['headers'] } = {};
let held: Promise<void>;
let hold: () => void;
let cancelled: Promise<void>;
let cancel: () => void;
/** Lets the upstream finish the event stream it holds open. */
let endStream: () => void = () => undefined;

const portOf = (s: Server) => (s.address() as AddressInfo).port;

function answer(req: IncomingMessage, res: ServerResponse): void {
  seen = { url: req.url, headers: req.headers };
  const path = req.url!.split('?')[0]!;
  if (path.endsWith('/imports')) {
    // Answers the first chunk at once, before the client has sent the rest: only a streamed body gets this far.
    const hash = createHash('sha256');
    let bytes = 0;
    res.writeHead(200, { 'content-type': 'text/plain' });
    req.on('data', (chunk: Buffer) => {
      if (bytes === 0) res.write('first chunk\n');
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => res.end(`${bytes} ${hash.digest('hex')}`));
  } else if (path.endsWith('/export')) {
    res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
    res.setHeader('retry-after', '7');
    res.setHeader('location', '/api/v2/elsewhere');
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('connection', 'x-upstream-private');
    res.setHeader('x-upstream-private', 'for the edge only');
    res.setHeader('keep-alive', 'timeout=5');
    res.setHeader('proxy-authenticate', 'Basic');
    res.writeHead(429);
    res.end('id,name\n1,a\n');
  } else if (path.endsWith('/progress')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: {"percentage":10}\n\n');
    endStream = () => res.end('data: {"percentage":100}\n\n');
  } else if (path.endsWith('/hang')) {
    hold();
    res.on('close', cancel); // never answered: only the edge giving up or cancelling ends it
  } else {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method }));
    });
  }
}

async function listen(server: Server): Promise<Server> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

beforeAll(async () => {
  upstream = await listen(createServer(answer));
  const closed = await listen(createServer());
  const closedPort = portOf(closed);
  await new Promise((resolve) => closed.close(resolve));
  proxy = new ProxyMiddleware(
    [
      { prefix: '/api/v2/up', target: `http://127.0.0.1:${portOf(upstream)}` },
      { prefix: '/api/v2/down', target: `http://127.0.0.1:${closedPort}` },
    ],
    1024,
    64 * 1024 * 1024,
    1_000,
  );
  const app = express();
  app.use('/api', (req, res, next) => proxy.use(req, res, next));
  edge = await listen(createServer(app));
  edgeUrl = `http://127.0.0.1:${portOf(edge)}`;
});

beforeEach(() => {
  held = new Promise((resolve) => (hold = resolve));
  cancelled = new Promise((resolve) => (cancel = resolve));
});

afterAll(async () => {
  await proxy.onApplicationShutdown();
  edge.closeAllConnections();
  upstream.closeAllConnections();
  await Promise.all([new Promise((r) => edge.close(r)), new Promise((r) => upstream.close(r))]);
});

/** A request with node:http, which (unlike fetch) lets a test send hop-by-hop headers. */
function send(path: string, init: { method?: string; headers?: Record<string, string>; agent?: Agent } = {}) {
  const req = request(`${edgeUrl}${path}`, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent });
  const response = once(req, 'response').then(([res]) => res as IncomingMessage);
  return { req, response };
}

async function textOf(res: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return text;
}

it('streams an upload through untouched, answering before the client has sent it all', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const chunks = 40;
  const whole = createHash('sha256');
  for (let i = 0; i < chunks; i++) whole.update(chunk);
  const { req, response } = send('/api/v2/up/contactlists/1/imports?x=1', { method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': String(chunk.length * chunks) } });
  req.write(chunk);
  const res = await response;
  expect(res.statusCode).toBe(200);
  const first = await new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(String(c))));
  expect(first).toBe('first chunk\n'); // the upstream has the first MiB while the client still holds 39
  for (let i = 1; i < chunks; i++) if (!req.write(chunk)) await once(req, 'drain');
  req.end();
  expect(await textOf(res)).toBe(`${chunk.length * chunks} ${whole.digest('hex')}`);
  expect(seen.url).toBe('/api/v2/up/contactlists/1/imports?x=1'); // the full public path
  expect(seen.headers!['content-type']).toBe('text/csv');
});

it('forwards Host as sent, adds X-Forwarded-*, and drops hop-by-hop request headers and Expect', async () => {
  const { req, response } = send('/api/v2/up/things', {
    method: 'POST',
    headers: {
      host: 'api.example.com:8443',
      connection: 'keep-alive, x-private',
      'x-private': 'for the edge only',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      expect: '100-continue', // answered by the edge's own server
      'proxy-authorization': 'Basic c2VjcmV0',
      'x-forwarded-for': '203.0.113.9',
      'x-custom': 'kept',
      'content-type': 'application/json',
    },
  });
  req.end('{"a":1}');
  const res = await response;
  expect(JSON.parse(await textOf(res))).toEqual({ method: 'POST' });
  const h = seen.headers!;
  expect(h['host']).toBe('api.example.com:8443');
  expect(h['x-forwarded-for']).toBe('203.0.113.9,127.0.0.1');
  expect(h['x-forwarded-host']).toBe('api.example.com:8443');
  expect(h['x-forwarded-port']).toBe('8443');
  expect(h['x-forwarded-proto']).toBe('http');
  expect(h['x-custom']).toBe('kept');
  expect(h['content-length']).toBe('7');
  for (const dropped of ['x-private', 'keep-alive', 'te', 'proxy-authorization', 'expect']) expect(h[dropped]).toBeUndefined();
  expect(h['connection']).not.toMatch(/x-private/);
});

it('passes status and end-to-end response headers through (every Set-Cookie), dropping hop-by-hop ones', async () => {
  const { req, response } = send('/api/v2/up/export');
  req.end();
  const res = await response;
  expect(res.statusCode).toBe(429);
  expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  expect(res.headers['retry-after']).toBe('7');
  expect(res.headers['location']).toBe('/api/v2/elsewhere');
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(res.headers['x-upstream-private']).toBeUndefined();
  expect(res.headers['proxy-authenticate']).toBeUndefined();
  expect(res.headers['connection']).not.toMatch(/x-upstream-private/);
  expect(await textOf(res)).toBe('id,name\n1,a\n');
});

it('streams an event stream: events arrive while the upstream holds it open', async () => {
  const { req, response } = send('/api/v2/up/campaigns/1/progress');
  req.end();
  const res = await response;
  expect(res.headers['content-type']).toBe('text/event-stream');
  const first = await new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(String(c))));
  expect(first).toBe('data: {"percentage":10}\n\n');
  endStream();
  expect(await textOf(res)).toBe('data: {"percentage":100}\n\n');
});

it('keeps the client connection open for the next request after a proxied answer', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const expected of [false, true]) {
      const { req, response } = send('/api/v2/up/things', { agent });
      req.end();
      const res = await response;
      await textOf(res);
      expect(req.reusedSocket).toBe(expected);
    }
  } finally {
    agent.destroy();
  }
});

it('answers 502 bad.gateway when the service is unreachable', async () => {
  const res = await fetch(`${edgeUrl}/api/v2/down/things`);
  expect(res.status).toBe(502);
  expect(await res.json()).toMatchObject({ code: 'bad.gateway', status: 502, message: 'the service behind /api/v2/down is unavailable', details: [], errors: [] });
});

it('answers 504 gateway.timeout when the service does not answer in time, and gives the request up', async () => {
  const res = await fetch(`${edgeUrl}/api/v2/up/hang`);
  expect(res.status).toBe(504);
  expect(await res.json()).toMatchObject({ code: 'gateway.timeout', status: 504, message: 'the service behind /api/v2/up did not answer within 1000 ms' });
  await cancelled;
});

it('cancels the upstream request when the client goes away', async () => {
  const { req, response } = send('/api/v2/up/hang');
  response.catch(() => undefined); // the client's own request ends with "socket hang up"
  req.end();
  await held;
  req.destroy();
  const started = Date.now();
  await cancelled;
  expect(Date.now() - started).toBeLessThan(500); // well before the 1 s timeout would end it
});

it('refuses a body over the limit with 413 before any service sees it', async () => {
  seen = {};
  const res = await fetch(`${edgeUrl}/api/v2/up/things`, { method: 'POST', body: 'x'.repeat(2048) });
  expect(res.status).toBe(413);
  expect(await res.json()).toMatchObject({ code: 'payload.too.large' });
  expect(seen.url).toBeUndefined();
});
