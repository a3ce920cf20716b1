import { Inject, Injectable } from '@nestjs/common';
import { callerAuthorizationHeaders } from '@herald/auth';
import { TransientError } from '@herald/messaging';
import { DomainError } from '@herald/service';

export const REFERENCE_URLS = Symbol('REFERENCE_URLS');
export interface ReferenceUrls {
  contacts: string;
  templates: string;
  dnc: string;
  emailGateway: string;
  smsGateway: string;
}

export interface ContactListView {
  id: string;
  columnNames: string[];
  phoneColumns: { columnName: string }[];
}

export interface TemplateView {
  id: string;
  responseType?: string;
  variables?: string[];
  substitutions?: { id: string; defaultValue?: string | null }[];
}

export interface ContactListFilterView {
  id: string;
  contactList: { id: string };
}

/** The email-gateway's `OutboundDomain` (Herald adds `verifiedForSending`). */
export interface SendingDomainView {
  id: string;
  verifiedForSending: boolean;
  dkimVerificationResult?: { status?: string };
}

/**
 * Reads the contact list, filters, template, DNC lists, sender number and sending domain a campaign
 * names, through the owning services' APIs (campaigns never reads their tables), with the caller's
 * own token: what the caller may not read, a campaign may not name.
 */
@Injectable()
export class ReferencesClient {
  constructor(@Inject(REFERENCE_URLS) private readonly urls: ReferenceUrls) {}

  private async get<T>(url: string, what: string): Promise<T | undefined> {
    let res: Response;
    try {
      res = await fetch(url, { headers: callerAuthorizationHeaders(), signal: AbortSignal.timeout(5_000) });
    } catch (e) {
      throw new DomainError('dependency.unavailable', `could not reach the service that owns the ${what}: ${(e as Error).message}`, 503);
    }
    if (res.status === 404) return undefined;
    // RFC 6750 §3.1: 401 is the token itself refused (expired, its signing key retired), which
    // another token may mend; 403 is a permission the token lacks, which another token of the same
    // client lacks too.
    if (res.status === 401 || res.status === 403) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      const reason = `the ${what} cannot be read with this token: ${body.message ?? res.status}`;
      throw res.status === 401 ? new DomainError('bad.credentials', reason, 401) : new DomainError('missing.permissions', reason, 403);
    }
    if (!res.ok) throw new TransientError(`${what} lookup answered ${res.status}`);
    return (await res.json()) as T;
  }

  contactList(id: string): Promise<ContactListView | undefined> {
    return this.get(`${this.urls.contacts}/api/v2/outbound/contactlists/${id}`, 'contact list');
  }

  dncList(id: string): Promise<{ id: string } | undefined> {
    return this.get(`${this.urls.dnc}/api/v2/outbound/dnclists/${id}`, 'DNC list');
  }

  sendingDomain(domain: string): Promise<SendingDomainView | undefined> {
    return this.get(`${this.urls.emailGateway}/api/v2/routing/email/outbound/domains/${encodeURIComponent(domain)}`, 'sending domain');
  }

  template(id: string): Promise<TemplateView | undefined> {
    return this.get(`${this.urls.templates}/api/v2/responsemanagement/responses/${id}`, 'template');
  }

  contactListFilter(id: string): Promise<ContactListFilterView | undefined> {
    return this.get(`${this.urls.contacts}/api/v2/outbound/contactlistfilters/${id}`, 'contact list filter');
  }

  /** Whether sms-gateway has this sender number provisioned. */
  async senderProvisioned(phoneNumber: string): Promise<boolean> {
    const found = await this.get<{ entities: { phoneNumber: string }[] }>(
      `${this.urls.smsGateway}/api/v2/routing/sms/phonenumbers?phoneNumber=${encodeURIComponent(phoneNumber)}`,
      'SMS sender numbers',
    );
    return (found?.entities ?? []).some((n) => n.phoneNumber === phoneNumber);
  }
}
