import { TtlCache } from './dependency';

describe('TtlCache', () => {
  it('shares one lookup between concurrent misses and keeps a positive answer', async () => {
    const cache = new TtlCache<string>(60_000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return 'yes';
    };
    expect(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])).toEqual(['yes', 'yes', 'yes']);
    expect(await cache.get('k', load)).toBe('yes');
    expect(loads).toBe(1);
  });

  it('asks again after a negative answer or a failure', async () => {
    const cache = new TtlCache<string>(60_000);
    expect(await cache.get('k', async () => undefined)).toBeUndefined();
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', async () => 'now provisioned')).toBe('now provisioned');
  });

  it('asks again once the entry is older than its time to live', async () => {
    const cache = new TtlCache<number>(5);
    let loads = 0;
    const load = async () => ++loads;
    await cache.get('k', load);
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.get('k', load)).toBe(2);
  });
});
