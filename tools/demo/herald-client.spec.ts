import { once } from 'node:events';
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { heraldClient } from './herald-client';

describe('heraldClient', () => {
  let server: Server;
  let edge: string;
  /** Answers the slow request the test is holding (set when it arrives). */
  let answerSlow: (() => void) | undefined;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/oauth/token') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ access_token: 'token-1', token_type: 'bearer', expires_in: 3600 }));
        } else {
          answerSlow = () => res.end('done');
        }
      });
    });
    // Keep-Alive: timeout=2, so Node's global agent gives a kept-alive socket a 1 s idle timeout (4 s against the edge's 5).
    server.keepAliveTimeout = 2_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    edge = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('leaves the sockets it used fit for a later request that waits past their idle timeout for its answer', async () => {
    const api = await heraldClient(edge, { id: 'client', secret: 'secret' });
    expect(api.accessToken).toBe('token-1');

    // As bench/csv-import.ts uploads: node:http on the global agent, which hands it the login's socket.
    const req = request(`${edge}/slow`, { method: 'POST', headers: { 'content-length': '4' } });
    const [socket] = (await once(req, 'socket')) as [import('node:net').Socket];
    // The socket's idle timeout fires while the request waits; only then does the server answer.
    const idle = once(socket, 'timeout');
    req.end('data');
    await idle;
    answerSlow!();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    res.resume();
    await once(res, 'end');

    expect(req.reusedSocket).toBe(true);
    expect(res.statusCode).toBe(200);
  });
});
