import { ServiceToken } from '@herald/auth';
import { Inject, Injectable } from '@nestjs/common';
import { Channel } from '@herald/contracts';
import { getJson, TtlCache } from './dependency';

/**
 * Whether a sender may send: the gateways own the senders (SMS numbers, email domains); triggers
 * only asks. One small port so the rule (and a future cache or event-fed copy) lives in one place.
 */
export interface SenderRegistry {
  /** `address` is normalised: E.164 for SMS; for email, the domain of the from address is what is provisioned. */
  isProvisioned(channel: Channel, address: string): Promise<boolean>;
}

export const SENDER_REGISTRY = Symbol('SENDER_REGISTRY');
export const SENDER_REGISTRY_URLS = Symbol('SENDER_REGISTRY_URLS');
export interface SenderRegistryUrls {
  sms: string;
  email: string;
}

/** Genesys `SmsPhoneNumberEntityListing` (only what is read). */
interface SmsPhoneNumberListing {
  entities?: { phoneNumber?: string }[];
}

/**
 * Over HTTP, against the gateways' Genesys-shaped registries:
 * - SMS: `GET {SMS_GATEWAY_URL}/api/v2/routing/sms/phonenumbers?phoneNumber=<E.164>`; provisioned
 *   when the listing holds an entity with exactly that number;
 * - email: `GET {EMAIL_GATEWAY_URL}/api/v2/routing/email/outbound/domains/{domain}`; 404 means not
 *   provisioned.
 * A yes is cached for 5 s; a no is not (a number provisioned a moment ago works at once).
 */
@Injectable()
export class HttpSenderRegistry implements SenderRegistry {
  private readonly cache = new TtlCache<true>(5_000);

  constructor(
    @Inject(SENDER_REGISTRY_URLS) private readonly urls: SenderRegistryUrls,
    private readonly token: ServiceToken,
  ) {}

  async isProvisioned(channel: Channel, address: string): Promise<boolean> {
    const found = await this.cache.get(`${channel}|${address}`, async () => ((channel === 'sms' ? await this.smsNumber(address) : await this.emailDomain(address)) ? true : undefined));
    return found === true;
  }

  private async smsNumber(e164: string): Promise<boolean> {
    const listing = await getJson<SmsPhoneNumberListing>(this.token, `${this.urls.sms}/api/v2/routing/sms/phonenumbers?phoneNumber=${encodeURIComponent(e164)}`, 'SMS sender registry');
    return (listing?.entities ?? []).some((n) => n.phoneNumber === e164);
  }

  private async emailDomain(fromAddress: string): Promise<boolean> {
    const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
    const found = await getJson<unknown>(this.token, `${this.urls.email}/api/v2/routing/email/outbound/domains/${encodeURIComponent(domain)}`, 'email sender registry');
    return found !== undefined;
  }
}
