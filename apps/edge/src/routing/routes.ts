import { EdgeConfig } from '../config';

export interface Route {
  prefix: string;
  target: string;
  /** Anonymous requests allowed (no token; rate-limited per IP address). Default: a valid token is required. */
  public?: boolean;
  /** No rate limit at the edge (a public route whose callers pace themselves, e.g. SNS deliveries). */
  unlimited?: boolean;
}

/** The public API's paths and the service that answers each (first match wins). */
export function routesOf(config: EdgeConfig): Route[] {
  return [
    { prefix: '/api/v2/outbound/contactlists', target: config.CONTACTS_URL },
    { prefix: '/api/v2/outbound/contactlistfilters', target: config.CONTACTS_URL },
    { prefix: '/api/v2/outbound/messagingcampaigns', target: config.CAMPAIGNS_URL },
    { prefix: '/api/v2/outbound/dnclists', target: config.DNC_URL },
    { prefix: '/api/v2/herald/suppressions', target: config.DNC_URL },
    // List-Unsubscribe links (RFC 8058): the signed token is the credential, so no OAuth token may be required here.
    { prefix: '/api/v2/herald/unsubscribe', target: config.DNC_URL, public: true },
    { prefix: '/api/v2/routing/email/outbound/domains', target: config.EMAIL_GATEWAY_URL },
    { prefix: '/api/v2/responsemanagement/responses', target: config.TEMPLATES_URL },
    { prefix: '/api/v2/herald/messages', target: config.REPORTING_URL },
    { prefix: '/api/v2/conversations/messages/agentless', target: config.TRIGGERS_URL },
    { prefix: '/api/v2/routing/sms/phonenumbers', target: config.SMS_GATEWAY_URL },
    // Provider events from Amazon SNS: the message signature is the credential (checked by the
    // gateway); SNS posts from many addresses at its own pace and retries what is refused with 429/5xx.
    { prefix: '/api/v2/herald/providers/sns/sms', target: config.SMS_GATEWAY_URL, public: true, unlimited: true },
    { prefix: '/api/v2/herald/providers/sns/email', target: config.EMAIL_GATEWAY_URL, public: true, unlimited: true },
  ];
}

/** File uploads (CSV imports) stream through with their own, larger size limit. */
export function isUpload(path: string): boolean {
  return /\/imports(\?|$)/.test(path.split('#')[0]!);
}

export function routeFor(routes: Route[], path: string): Route | undefined {
  return routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`) || path.startsWith(`${r.prefix}?`));
}
