import { defaultSmsRate, SenderRate } from '@herald/sending';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';

/**
 * Each sender number's calls per second: SMS_SENDER_RATE_PER_SECOND when it is set (one rate for
 * every number), else the carrier default for the number's type and country as provisioned in
 * `sms.phone_number`. Looked up once a minute per number.
 */
export class SmsSenderRates {
  private readonly known = new LRUCache<string, SenderRate>({ max: 10_000, ttl: 60_000 });

  constructor(
    private readonly db: DataSource,
    private readonly overridePerSecond?: number,
  ) {}

  async of(from: string): Promise<SenderRate> {
    const key = `sms:${from}`;
    if (this.overridePerSecond !== undefined) return { key, perSecond: this.overridePerSecond };
    const cached = this.known.get(key);
    if (cached) return cached;
    const [row]: { phone_number_type: string; country_code: string }[] = await this.db.query(
      'SELECT phone_number_type, country_code FROM sms.phone_number WHERE phone_number = $1 LIMIT 1',
      [from],
    );
    // An unprovisioned sender is refused by the provider anyway; the strictest default meanwhile.
    const rate = { key, perSecond: row ? defaultSmsRate(row.phone_number_type, row.country_code) : 1 };
    this.known.set(key, rate);
    return rate;
  }
}
