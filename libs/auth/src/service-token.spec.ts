import { LocalTokenEndpoint, startTokenEndpoint } from '../testing';

describe('ServiceToken.fetch', () => {
  let edge: LocalTokenEndpoint;
  const asked: string[] = [];

  beforeAll(async () => {
    // The peer answers /slow after 700 ms: 401 to the first token, 200 to any later one.
    edge = await startTokenEndpoint((req, res) => {
      asked.push(req.headers.authorization ?? '');
      setTimeout(() => {
        res.statusCode = req.headers.authorization === 'Bearer token-1' ? 401 : 200;
        res.end();
      }, 700);
    });
  });

  afterAll(() => edge.close());

  it('gives each attempt of a 401 retry the whole timeout, not both attempts together', async () => {
    const token = edge.serviceToken();
    // Two attempts of ~700 ms each: over a 1 s timeout together, within it each.
    const res = await token.fetch(`${edge.base}/slow`, {}, 1_000);
    expect(res.status).toBe(200);
    expect(asked).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives up on an attempt that takes longer than the timeout', async () => {
    await expect(edge.serviceToken().fetch(`${edge.base}/slow`, {}, 300)).rejects.toThrow(/timeout|aborted/i);
  });
});
