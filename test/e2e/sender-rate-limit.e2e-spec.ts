// The per-sender rate limit (libs/sending) against the real PostgreSQL: two gateway instances
// sharing one budget never pass a sender's rate in any one-second window.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { defaultSmsRate, SenderRateLimiter } from '@herald/sending';
import { dropDatabase, ensureDatabase } from '../../tools/infra/postgres';
import { testInfrastructure } from './support/infrastructure';

jest.setTimeout(120_000);

let url: string;
const sources: DataSource[] = [];

async function instance(): Promise<SenderRateLimiter> {
  const db = new DataSource({ type: 'postgres', url, extra: { max: 4 } });
  await db.initialize();
  sources.push(db);
  return new SenderRateLimiter(db, { schema: 'sms', name: 'sender_rate' });
}

beforeAll(async () => {
  url = (await testInfrastructure()).databaseUrl(`herald_e2e_rate_${randomUUID().slice(0, 8)}`);
  await ensureDatabase(url);
  const db = new DataSource({ type: 'postgres', url });
  await db.initialize();
  // The table the gateways' migrations create.
  await db.query('CREATE SCHEMA sms');
  await db.query('CREATE TABLE sms.sender_rate (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)');
  await db.destroy();
});

afterAll(async () => {
  for (const db of sources) await db.destroy();
  await dropDatabase(url);
});

describe('SenderRateLimiter', () => {
  it('shares one budget between instances: at most the rate in each second, everything granted in the end', async () => {
    const [a, b] = [await instance(), await instance()];
    const rate = { key: `sms:+1202555${randomUUID().slice(0, 4)}`, perSecond: 10 };
    const grants: number[] = [];
    // Each instance takes 3 calls at a time (like a gateway's batches), 15 each, as fast as allowed.
    const worker = async (limiter: SenderRateLimiter) => {
      for (let left = 15; left > 0; ) {
        const n = await limiter.acquire(rate, Math.min(3, left), 30_000);
        for (let i = 0; i < n; i++) grants.push(Date.now());
        left -= n;
      }
    };
    await Promise.all([worker(a), worker(b)]);
    expect(grants).toHaveLength(30);
    // 30 calls at 10/s in 100 ms windows span at least 29 windows; two separate budgets would
    // have taken half as long.
    const span = Math.max(...grants) - Math.min(...grants);
    expect(span).toBeGreaterThanOrEqual(2_500);
    // No second of ours holds much more than the rate: one window more, and a grant recorded a
    // database round trip after its window (the timestamps are taken when acquire returns).
    const first = Math.min(...grants);
    const bySecond = new Map<number, number>();
    for (const t of grants) bySecond.set(Math.floor((t - first) / 1000), (bySecond.get(Math.floor((t - first) / 1000)) ?? 0) + 1);
    expect(Math.max(...bySecond.values())).toBeLessThanOrEqual(13);
  });

  it('grants what fits in the current window and waits for later windows only while it may', async () => {
    const limiter = await instance();
    // 10/s: one call per 100 ms window.
    const rate = { key: `email:${randomUUID().slice(0, 8)}.example`, perSecond: 10 };
    expect(await limiter.acquire(rate, 3, 0)).toBe(1);
    const t0 = Date.now();
    expect(await limiter.acquire(rate, 3, 10_000)).toBe(3);
    // Three more windows at least (the first may be the rest of the current one).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
  });
});

describe('defaultSmsRate', () => {
  it.each([
    ['local', 'US', 1],
    ['mobile', 'CA', 1],
    ['tollfree', 'US', 3],
    ['shortcode', 'US', 100],
    ['local', 'GB', 10],
  ])('%s in %s: %d per second', (type, country, rate) => {
    expect(defaultSmsRate(type, country)).toBe(rate);
  });
});
