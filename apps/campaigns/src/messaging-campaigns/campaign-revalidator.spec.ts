import { ServiceToken } from '@herald/auth';
import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';
import { DataSource } from 'typeorm';
import { CampaignRevalidator } from './campaign-revalidator';
import { MessagingCampaignsService } from './messaging-campaigns.service';
import { ReferencesClient, ReferenceUrls } from './references.client';

describe('CampaignRevalidator', () => {
  let server: Server;
  let base: string;
  let issued = 0;
  /** What the templates service answers to a token: 200, 401 (the token refused) or 403 (a permission missing). */
  let answer: (authorization: string) => number;
  const asked: string[] = [];

  beforeAll(async () => {
    // The edge's token endpoint (a new token each time it is asked) and the template a campaign names.
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/oauth/token') {
        issued++;
        return res.end(JSON.stringify({ access_token: `token-${issued}`, expires_in: 3600 }));
      }
      const authorization = req.headers.authorization ?? '';
      asked.push(authorization);
      res.statusCode = answer(authorization);
      res.end(JSON.stringify(res.statusCode === 200 ? { id: 't1' } : { message: res.statusCode === 401 ? 'token refused' : 'missing responses:response:view' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((r) => server.close(r)));

  beforeEach(() => {
    issued = 0;
    asked.length = 0;
  });

  /** Runs `passes` over two running campaigns whose check reads their template through ReferencesClient. */
  async function revalidating(passes: (revalidator: CampaignRevalidator) => Promise<void>): Promise<void> {
    const db = { query: async () => [{ id: 'c1' }, { id: 'c2' }] } as unknown as DataSource;
    const references = new ReferencesClient({ templates: base } as ReferenceUrls);
    const campaigns = { revalidate: async () => (await references.template('t1'), []) } as unknown as MessagingCampaignsService;
    const revalidator = new CampaignRevalidator(db, campaigns, new ServiceToken(`${base}/oauth/token`, 'campaigns', 'secret'), 60_000);
    revalidator.onApplicationBootstrap(); // arms the timer the pass checks; the first pass is a minute away
    try {
      await passes(revalidator);
    } finally {
      await revalidator.beforeApplicationShutdown();
    }
  }

  it('replaces a token a peer refuses (401) and re-checks that campaign with the new one at once', async () => {
    answer = (authorization) => (authorization === 'Bearer token-1' ? 401 : 200); // e.g. token-1's signing key was retired
    await revalidating(async (revalidator) => {
      await revalidator.pass();
      expect(issued).toBe(2);
      expect(asked).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-2']);
      await revalidator.pass(); // accepted: kept
      expect(issued).toBe(2);
    });
  });

  it('keeps its token when a peer answers 403 (a permission missing): a new token of the same client would lack it too', async () => {
    answer = () => 403;
    await revalidating(async (revalidator) => {
      await revalidator.pass();
      await revalidator.pass();
      expect(issued).toBe(1);
      expect(asked).toEqual(Array(4).fill('Bearer token-1'));
    });
  });

  it('asks once more, not again and again, when the new token is refused too', async () => {
    answer = () => 401;
    await revalidating(async (revalidator) => {
      await revalidator.pass();
      expect(asked).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-2', 'Bearer token-3']);
    });
  });
});
