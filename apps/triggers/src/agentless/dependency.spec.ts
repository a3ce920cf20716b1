import { LocalTokenEndpoint, startTokenEndpoint } from '@herald/auth/testing';
import { DependencyUnavailableError, getJson, positiveAnswerCache } from './dependency';

describe('positiveAnswerCache', () => {
  it('shares one lookup between concurrent misses and keeps a positive answer', async () => {
    let loads = 0;
    const cache = positiveAnswerCache<{ v: string }>(60_000, async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return { v: 'yes' };
    });
    expect(await Promise.all([cache.fetch('k'), cache.fetch('k'), cache.fetch('k')])).toEqual([{ v: 'yes' }, { v: 'yes' }, { v: 'yes' }]);
    expect(await cache.fetch('k')).toEqual({ v: 'yes' });
    expect(loads).toBe(1);
  });

  it('asks again after a negative answer or a failure', async () => {
    const answers: (() => Promise<{ v: string } | undefined>)[] = [async () => undefined, () => Promise.reject(new Error('down')), async () => ({ v: 'now provisioned' })];
    const cache = positiveAnswerCache<{ v: string }>(60_000, () => answers.shift()!());
    expect(await cache.fetch('k')).toBeUndefined();
    await expect(cache.fetch('k')).rejects.toThrow('down');
    expect(await cache.fetch('k')).toEqual({ v: 'now provisioned' });
  });

  it('asks again once the entry is older than its time to live', async () => {
    let loads = 0;
    const cache = positiveAnswerCache<{ n: number }>(5, async () => ({ n: ++loads }));
    await cache.fetch('k');
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.fetch('k')).toEqual({ n: 2 });
  });

  it('keeps at most max answers', async () => {
    const cache = positiveAnswerCache<{ k: string }>(60_000, async (k) => ({ k }), 2);
    for (const k of ['a', 'b', 'c']) await cache.fetch(k);
    expect(cache.size).toBe(2);
  });
});

describe('getJson with the service token', () => {
  let edge: LocalTokenEndpoint;
  /** The tokens the peer accepts; a token the edge issued is accepted unless revoked. */
  const revoked = new Set<string>();
  const asked: string[] = [];

  beforeAll(async () => {
    edge = await startTokenEndpoint((req, res) => {
      const header = req.headers.authorization ?? '';
      asked.push(header);
      if (revoked.has(header)) {
        res.statusCode = 401;
        return res.end();
      }
      res.statusCode = req.url === '/missing' ? 404 : req.url === '/down' ? 503 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
  });

  afterAll(() => edge.close());

  it('keeps one token, and asks for a new one once a peer refuses it (401), retrying the call once', async () => {
    const token = edge.serviceToken();
    expect(await getJson(token, `${edge.base}/thing`, 'thing')).toEqual({ ok: true });
    expect(await getJson(token, `${edge.base}/thing`, 'thing')).toEqual({ ok: true });
    expect(edge.issued).toBe(1);
    revoked.add('Bearer token-1'); // e.g. its signing key was retired
    expect(await getJson(token, `${edge.base}/thing`, 'thing')).toEqual({ ok: true });
    expect(edge.issued).toBe(2);
    expect(asked.slice(-2)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('answers undefined on 404, and a refused new token or a 5xx is the dependency being unavailable', async () => {
    const token = edge.serviceToken();
    expect(await getJson(token, `${edge.base}/missing`, 'template')).toBeUndefined();
    await expect(getJson(token, `${edge.base}/down`, 'template')).rejects.toThrow(DependencyUnavailableError);
    revoked.add(`Bearer token-${edge.issued}`);
    revoked.add(`Bearer token-${edge.issued + 1}`);
    await expect(getJson(token, `${edge.base}/thing`, 'template')).rejects.toThrow('answered 401');
  });
});
