// @herald/auth/testing: helpers for unit tests of code that calls other services with a
// ServiceToken. Not in @herald/auth's index.ts, and not built into dist/ (tools/build.mjs skips
// `testing` folders), so nothing of it reaches a service; only spec files may import it (lint).
import { once } from 'node:events';
import { createServer, RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceToken } from '../src/service-token';

export interface LocalTokenEndpoint {
  /** `http://127.0.0.1:<port>`: the token endpoint is `${base}/oauth/token`, the peer every other path. */
  readonly base: string;
  /** How many tokens it has issued; the n-th is `token-<n>`. */
  readonly issued: number;
  /** A new ServiceToken (no token cached yet) of a client of this endpoint. */
  serviceToken(): ServiceToken;
  close(): Promise<void>;
}

/**
 * Starts a local HTTP server standing in for the edge's token endpoint (`/oauth/token`: the client
 * credentials grant, a new token `token-1`, `token-2`, … each time it is asked, valid an hour) and,
 * on every other path, for the peer the code under test calls (`peer`; 404 without one).
 */
export async function startTokenEndpoint(
  peer: RequestListener = (_req, res) => {
    res.statusCode = 404;
    res.end();
  },
): Promise<LocalTokenEndpoint> {
  let issued = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/oauth/token') return peer(req, res);
    issued++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ access_token: `token-${issued}`, expires_in: 3600 }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    get issued() {
      return issued;
    },
    serviceToken: () => new ServiceToken(`${base}/oauth/token`, 'test-service', 'secret'),
    close: () => {
      server.closeAllConnections(); // a peer still answering a request a test gave up on
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
