import { ServiceToken } from '@herald/auth';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@herald/service';
import { REFERENCE_URLS, ReferenceUrls } from '../messaging-campaigns/references.client';
import type { Channel, EmailDispatchConfig } from '@herald/contracts';
import type { EmailRenderOutcome, FilterDecision, SmsRenderOutcome } from './preview-tally';

export type AudienceContact = { contactId: string; address: string; data: Record<string, string> } | { contactId: string; invalidAddress: string };

export interface AudiencePage {
  total?: number;
  contacts: AudienceContact[];
  filteredOut: number;
  next: string | null;
}

export interface SmsSettings {
  phoneColumn: string;
  senderSmsPhoneNumber: string;
  contentTemplateId?: string;
  messageColumn?: string;
}

/** The campaign's channel settings, as its lifecycle event gives them to contacts. */
export type ChannelSettings = { sms: SmsSettings } | { email: EmailDispatchConfig };

/**
 * The owning services' internal endpoints that a preview asks for each decision, so that a dry run
 * decides exactly as a real run: contacts (audience, address), dnc (suppression, DNC lists),
 * templates (rendering; for SMS encoding and segments). Not routed by the edge.
 *
 * A preview outlives the request that started it (a large list takes minutes), so the job calls
 * with campaigns' own token, not the caller's, which may expire meanwhile; the caller's access to
 * the campaign was checked when the preview started.
 */
@Injectable()
export class PreviewStagesClient {
  constructor(
    @Inject(REFERENCE_URLS) private readonly urls: ReferenceUrls,
    private readonly token: ServiceToken,
  ) {}

  private async post<T>(url: string, body: unknown, what: string): Promise<T> {
    let res: Response;
    try {
      res = await this.token.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, 30_000);
    } catch (e) {
      throw new DomainError('dependency.unavailable', `${what}: ${(e as Error).message}`, 503);
    }
    if (!res.ok) {
      const error = (await res.json().catch(() => ({}))) as { message?: string };
      throw new DomainError('dependency.failed', `${what} answered ${res.status}${error.message ? `: ${error.message}` : ''}`, 502);
    }
    return (await res.json()) as T;
  }

  audience(listId: string, channel: ChannelSettings, contactListFilterIds: string[], after: string | undefined, limit: number): Promise<AudiencePage> {
    return this.post(`${this.urls.contacts}/internal/contactlists/${listId}/audience`, { ...channel, contactListFilterIds, after, limit }, 'the contacts service (audience)');
  }

  async filter(channel: Channel, dncListIds: string[], addresses: string[]): Promise<FilterDecision[]> {
    if (addresses.length === 0) return [];
    return (await this.post<{ decisions: FilterDecision[] }>(`${this.urls.dnc}/internal/dnc/check`, { channel, dncListIds, addresses }, 'the dnc service (filter)')).decisions;
  }

  async renderSms(source: { templateId?: string; messageColumn?: string }, contacts: Record<string, string>[]): Promise<SmsRenderOutcome[]> {
    if (contacts.length === 0) return [];
    const body = { templateId: source.templateId, messageColumn: source.messageColumn, contacts };
    return (await this.post<{ outcomes: SmsRenderOutcome[] }>(`${this.urls.templates}/internal/rendering/sms-preview`, body, 'the templates service (rendering)')).outcomes;
  }

  async renderEmail(templateId: string, contacts: Record<string, string>[]): Promise<EmailRenderOutcome[]> {
    if (contacts.length === 0) return [];
    return (await this.post<{ outcomes: EmailRenderOutcome[] }>(`${this.urls.templates}/internal/rendering/email-preview`, { templateId, contacts }, 'the templates service (rendering)')).outcomes;
  }
}
