import { positiveAnswerCache } from './dependency';

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
