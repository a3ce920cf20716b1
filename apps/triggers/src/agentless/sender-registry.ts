import { ServiceToken } from '@herald/auth';
import { Inject, Injectable } from '@nestjs/common';
import { Channel } from '@herald/contracts';
import { LRUCache } from 'lru-cache';
import { getJson, positiveAnswerCache } from './dependency';

/**
 * Whether a sender may send, and from which division: the gateways own the senders (SMS numbers,
 * email domains); triggers only asks. One small port so the rule (and a future cache or event-fed
 * copy) lives in one place.
 */
export interface SenderRegistry {
  /**
   * The division of the provisioned sender, or undefined when it is not provisioned. `address` is
   * normalised: E.164 for SMS; for email, the domain of the from address is what is provisioned.
   */
  divisionOf(channel: Channel, address: string): Promise<string | undefined>;
}

export const SENDER_REGISTRY = Symbol('SENDER_REGISTRY');
export const SENDER_REGISTRY_URLS = Symbol('SENDER_REGISTRY_URLS');
export interface SenderRegistryUrls {
  sms: string;
  email: string;
}

/** A cacheable answer (the cache keeps objects): the division, or undefined when not provisioned. */
const divisionRef = (division: string | undefined) => (division === undefined ? undefined : { division });

/** Genesys `SmsPhoneNumberEntityListing` (only what is read; `division` is Herald's). */
interface SmsPhoneNumberListing {
  entities?: { phoneNumber?: string; division?: { id: string } }[];
}

/**
 * Over HTTP, against the gateways' Genesys-shaped registries:
 * - SMS: `GET {SMS_GATEWAY_URL}/api/v2/routing/sms/phonenumbers?phoneNumber=<E.164>`; provisioned
 *   when the listing holds an entity with exactly that number;
 * - email: `GET {EMAIL_GATEWAY_URL}/api/v2/routing/email/outbound/domains/{domain}`; 404 means not
 *   provisioned.
 * A yes is cached for 5 s; a no is not (a number provisioned a moment ago works at once). The
 * service's own client must be granted every division to see every sender.
 */
@Injectable()
export class HttpSenderRegistry implements SenderRegistry {
  /** Per channel, by address: the provisioned sender's division. */
  private readonly cache: Record<Channel, LRUCache<string, { division: string }>> = {
    sms: positiveAnswerCache(5_000, async (e164) => divisionRef(await this.smsNumber(e164))),
    email: positiveAnswerCache(5_000, async (from) => divisionRef(await this.emailDomain(from))),
  };

  constructor(
    @Inject(SENDER_REGISTRY_URLS) private readonly urls: SenderRegistryUrls,
    private readonly token: ServiceToken,
  ) {}

  async divisionOf(channel: Channel, address: string): Promise<string | undefined> {
    return (await this.cache[channel].fetch(address))?.division;
  }

  private async smsNumber(e164: string): Promise<string | undefined> {
    const listing = await getJson<SmsPhoneNumberListing>(this.token, `${this.urls.sms}/api/v2/routing/sms/phonenumbers?phoneNumber=${encodeURIComponent(e164)}`, 'SMS sender registry');
    return (listing?.entities ?? []).find((n) => n.phoneNumber === e164)?.division?.id;
  }

  private async emailDomain(fromAddress: string): Promise<string | undefined> {
    const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
    const found = await getJson<{ division?: { id: string } }>(this.token, `${this.urls.email}/api/v2/routing/email/outbound/domains/${encodeURIComponent(domain)}`, 'email sender registry');
    return found?.division?.id;
  }
}
