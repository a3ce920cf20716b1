import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceToken } from './service-token';

describe('ServiceToken.fetch', () => {
  let server: Server;
  let base: string;
  let issued = 0;
  const asked: string[] = [];

  beforeAll(async () => {
    // The peer answers /slow after 700 ms: 401 to the first token, 200 to any later one.
    server = createServer((req, res) => {
      if (req.url === '/oauth/token') {
        issued++;
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ access_token: `token-${issued}`, expires_in: 3600 }));
      }
      asked.push(req.headers.authorization ?? '');
      setTimeout(() => {
        res.statusCode = req.headers.authorization === 'Bearer token-1' ? 401 : 200;
        res.end();
      }, 700);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('gives each attempt of a 401 retry the whole timeout, not both attempts together', async () => {
    const token = new ServiceToken(`${base}/oauth/token`, 'campaigns', 'secret');
    // Two attempts of ~700 ms each: over a 1 s timeout together, within it each.
    const res = await token.fetch(`${base}/slow`, {}, 1_000);
    expect(res.status).toBe(200);
    expect(asked).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives up on an attempt that takes longer than the timeout', async () => {
    const token = new ServiceToken(`${base}/oauth/token`, 'campaigns', 'secret');
    await expect(token.fetch(`${base}/slow`, {}, 300)).rejects.toThrow(/timeout|aborted/i);
  });
});
