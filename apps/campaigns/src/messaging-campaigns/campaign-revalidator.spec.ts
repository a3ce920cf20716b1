import { ServiceToken } from '@herald/auth';
import { DomainError } from '@herald/service';
import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';
import { DataSource } from 'typeorm';
import { CampaignRevalidator } from './campaign-revalidator';
import { MessagingCampaignsService } from './messaging-campaigns.service';

describe('CampaignRevalidator', () => {
  let server: Server;
  let tokenUrl: string;
  let issued = 0;

  beforeAll(async () => {
    // The edge's token endpoint: a new token each time it is asked.
    server = createServer((_req, res) => {
      issued++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: `token-${issued}`, expires_in: 3600 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  });

  afterAll(() => new Promise((r) => server.close(r)));

  it('takes a new token for the next pass once a peer refuses its token, and keeps it otherwise', async () => {
    const db = { query: async () => [{ id: 'c1' }, { id: 'c2' }] } as unknown as DataSource;
    let refuse = true;
    const campaigns = {
      revalidate: async () => {
        if (refuse) throw new DomainError('missing.permissions', 'the template cannot be read with this token: 401', 403);
        return [];
      },
    } as unknown as MessagingCampaignsService;
    const revalidator = new CampaignRevalidator(db, campaigns, new ServiceToken(tokenUrl, 'campaigns', 'secret'), 60_000);
    revalidator.onApplicationBootstrap(); // arms the timer the pass checks; the first pass is a minute away
    try {
      await revalidator.pass();
      expect(issued).toBe(1);
      refuse = false;
      await revalidator.pass(); // the refused token was dropped: a new one
      expect(issued).toBe(2);
      await revalidator.pass(); // accepted: kept
      expect(issued).toBe(2);
    } finally {
      await revalidator.beforeApplicationShutdown();
    }
  });
});
