import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError } from '@herald/service';
import { DataSource } from 'typeorm';
import { EdgeConfig } from '../config';
import { EDGE_CONFIG } from '../oauth/oauth-clients.service';
import { TokenService } from '../oauth/token.service';

/** Each kind of resource a division holds: where its owner lists it, and the permission that takes. */
function countedKinds(c: EdgeConfig) {
  return [
    { kind: 'contactLists', url: `${c.CONTACTS_URL}/api/v2/outbound/contactlists`, permission: 'outbound:contactList:view' },
    { kind: 'contactListFilters', url: `${c.CONTACTS_URL}/api/v2/outbound/contactlistfilters`, permission: 'outbound:contactListFilter:view' },
    { kind: 'messagingCampaigns', url: `${c.CAMPAIGNS_URL}/api/v2/outbound/messagingcampaigns`, permission: 'outbound:messagingCampaign:view' },
    { kind: 'dncLists', url: `${c.DNC_URL}/api/v2/outbound/dnclists`, permission: 'outbound:dncList:view' },
    { kind: 'responses', url: `${c.TEMPLATES_URL}/api/v2/responsemanagement/responses`, permission: 'responses:response:view' },
    { kind: 'smsPhoneNumbers', url: `${c.SMS_GATEWAY_URL}/api/v2/routing/sms/phonenumbers`, permission: 'routing:smsPhoneNumber:view' },
    { kind: 'emailDomains', url: `${c.EMAIL_GATEWAY_URL}/api/v2/routing/email/outbound/domains`, permission: 'routing:emailDomain:view' },
  ];
}

/**
 * How many resources of each kind a division holds (Genesys `objectCounts`). The edge never reads
 * another service's tables: it asks each owner's listing, with a token of its own that sees only
 * that division, for one entity and the total. OAuth clients granted the division are the edge's own.
 */
@Injectable()
export class DivisionObjectCounts {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tokens: TokenService,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  async of(divisionId: string): Promise<Record<string, number>> {
    const kinds = countedKinds(this.config);
    const authorization = await this.tokens.internalAuthorization(kinds.map((k) => k.permission), [divisionId]);
    const counts = await Promise.all(kinds.map(async (k) => [k.kind, await this.total(k.url, authorization)] as const));
    const [{ clients }] = await this.db.query('SELECT count(*)::int AS clients FROM edge.oauth_client WHERE $1 = ANY(divisions)', [divisionId]);
    return { ...Object.fromEntries(counts), oauthClients: clients };
  }

  private async total(url: string, authorization: string): Promise<number> {
    let res: Response;
    try {
      res = await fetch(`${url}?pageSize=1`, { headers: { authorization }, signal: AbortSignal.timeout(5_000) });
    } catch (e) {
      throw new DomainError('dependency.unavailable', `could not count the division's resources at ${url}: ${(e as Error).message}`, 503);
    }
    const body = (await res.json().catch(() => ({}))) as { total?: unknown };
    if (!res.ok || typeof body.total !== 'number') throw new DomainError('dependency.unavailable', `could not count the division's resources: ${url} answered ${res.status}`, 503);
    return body.total;
  }
}
