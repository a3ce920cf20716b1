import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';

/** The origination identity a provider call counts against, and its allowed calls per second. */
export interface SenderRate {
  /** e.g. `sms:+12025550100` or `email:example.com`. */
  key: string;
  perSecond: number;
}

/** SMS number types as Genesys names them (`SmsPhoneNumber.phoneNumberType`). */
export type SmsNumberType = 'local' | 'mobile' | 'tollfree' | 'shortcode' | string;

/**
 * Messages per second a sender number may send when nothing else is configured: what carriers
 * allow by default (AWS End User Messaging SMS quotas): US and Canadian long codes (10DLC) 1,
 * toll-free 3, short codes 100, long codes elsewhere 10.
 */
export function defaultSmsRate(type: SmsNumberType, countryCode: string): number {
  if (type === 'shortcode') return 100;
  if (type === 'tollfree') return 3;
  return countryCode === 'US' || countryCode === 'CA' ? 1 : 10;
}

/**
 * Provider calls per origination identity (a sender number, a sending domain), counted in
 * PostgreSQL so that every instance of a gateway shares one budget: scaling out does not raise a
 * sender's rate. Counted in short fixed windows (rate-limiter-flexible; one atomic upsert per
 * request for many calls): p = ⌈rate/10⌉ calls per window of p/rate seconds, so the rate holds
 * on average and any one second holds at most one window more (1.1× the rate from 10/s up;
 * whole calls below that).
 */
export class SenderRateLimiter {
  /** One limiter per rate (the library fixes the points per limiter); they share one table. */
  private readonly limiters = new Map<number, RateLimiterPostgres>();

  /** `table` is schema-qualified (e.g. `sms.sender_rate`), created by the service's migration. */
  constructor(
    private readonly db: DataSource,
    private readonly table: { schema: string; name: string },
  ) {}

  /** Calls per window at this rate. */
  static windowPoints(perSecond: number): number {
    return Math.ceil(perSecond / 10);
  }

  private limiter(perSecond: number): RateLimiterPostgres {
    let limiter = this.limiters.get(perSecond);
    if (!limiter) {
      const points = SenderRateLimiter.windowPoints(perSecond);
      limiter = new RateLimiterPostgres({
        storeClient: this.db,
        storeType: 'typeorm',
        schemaName: this.table.schema,
        tableName: this.table.name,
        tableCreated: true,
        points,
        duration: points / perSecond,
        keyPrefix: `rate${perSecond}`,
      });
      this.limiters.set(perSecond, limiter);
    }
    return limiter;
  }

  /**
   * Takes up to `wanted` calls for the sender, waiting for the next window while the current one
   * is spent, for at most `maxWaitMs`: the number granted (0..wanted). A request that asks for
   * more than is left gets the part that fits: the counter is one atomic increment, so what it
   * returns tells how many of ours were under the limit, and no instance ever gets more.
   */
  async acquire(rate: SenderRate, wanted: number, maxWaitMs: number): Promise<number> {
    const perSecond = Math.max(1, Math.floor(rate.perSecond));
    const limiter = this.limiter(perSecond);
    const points = SenderRateLimiter.windowPoints(perSecond);
    const deadline = Date.now() + maxWaitMs;
    let granted = 0;
    while (granted < wanted) {
      const asked = Math.min(wanted - granted, points);
      let res: RateLimiterRes;
      try {
        res = await limiter.consume(rate.key, asked);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        res = e;
      }
      const before = res.consumedPoints - asked;
      granted += Math.max(0, Math.min(asked, points - before));
      if (granted >= wanted) break;
      const wait = Math.max(res.msBeforeNext, 1);
      if (Date.now() + wait > deadline) break;
      await sleep(wait);
    }
    return granted;
  }
}
