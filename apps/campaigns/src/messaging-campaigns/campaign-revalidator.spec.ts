import { LocalTokenEndpoint, startTokenEndpoint } from '@herald/auth/testing';
import { DataSource } from 'typeorm';
import { CampaignRevalidator } from './campaign-revalidator';
import { MessagingCampaignsService } from './messaging-campaigns.service';
import { ReferencesClient, ReferenceUrls } from './references.client';

describe('CampaignRevalidator', () => {
  let edge: LocalTokenEndpoint;
  /** What the templates service answers to a token: 200, 401 (the token refused) or 403 (a permission missing). */
  let answer: (authorization: string) => number;
  const asked: string[] = [];

  beforeEach(async () => {
    asked.length = 0;
    // The template a campaign names, behind the edge's token endpoint.
    edge = await startTokenEndpoint((req, res) => {
      const authorization = req.headers.authorization ?? '';
      asked.push(authorization);
      res.statusCode = answer(authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(res.statusCode === 200 ? { id: 't1' } : { message: res.statusCode === 401 ? 'token refused' : 'missing responses:response:view' }));
    });
  });

  afterEach(() => edge.close());

  /** Runs `passes` over two running campaigns whose check reads their template through ReferencesClient. */
  async function revalidating(passes: (revalidator: CampaignRevalidator) => Promise<void>): Promise<void> {
    const db = { query: async () => [{ id: 'c1' }, { id: 'c2' }] } as unknown as DataSource;
    const references = new ReferencesClient({ templates: edge.base } as ReferenceUrls);
    const campaigns = { revalidate: async () => (await references.template('t1'), []) } as unknown as MessagingCampaignsService;
    const revalidator = new CampaignRevalidator(db, campaigns, edge.serviceToken(), 60_000);
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
      expect(edge.issued).toBe(2);
      expect(asked).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-2']);
      await revalidator.pass(); // accepted: kept
      expect(edge.issued).toBe(2);
    });
  });

  it('keeps its token when a peer answers 403 (a permission missing): a new token of the same client would lack it too', async () => {
    answer = () => 403;
    await revalidating(async (revalidator) => {
      await revalidator.pass();
      await revalidator.pass();
      expect(edge.issued).toBe(1);
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
