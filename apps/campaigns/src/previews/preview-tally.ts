/**
 * The figures of a pre-launch preview, added up batch by batch from the owning services'
 * decisions (contacts: audience and address; dnc: suppression and DNC lists; templates: rendering).
 * Pure: no I/O, so the arithmetic is tested on its own.
 */

export type FilterDecision = { cleared: true } | { cleared: false; reason: string; dncListId?: string };
type RenderFailure = { ok: false; reason: string; missing?: string[] };
export type SmsRenderOutcome = { ok: true; encoding: string; segments: number } | RenderFailure;
export type EmailPart = 'subject' | 'html' | 'text';
/** For an email, the failure also says which parts lack which values. */
export type EmailRenderOutcome = { ok: true } | (RenderFailure & { missingIn?: Partial<Record<EmailPart, string[]>> });

/** What a preview reports once done (the `result` of `GET …/previews/{previewId}`). */
export interface PreviewResult {
  /** Contacts that would join the run's audience (after the contact list filter). */
  totalNumberOfContacts: number;
  /** Contacts of the list that the campaign's contact list filter leaves out. */
  numberOfContactsFilteredOut: number;
  /** Contacts that would be sent a message. */
  numberOfContactsToMessage: number;
  /** By reason, as campaign progress counts them: `invalid-address`, `suppressed`, `dnc`. */
  numberOfContactsSkipped: Record<string, number>;
  /** The `dnc` skips per DNC list of the campaign (every list, zero included). */
  dncLists: { id: string; selfUri: string; numberOfContactsSkipped: number }[];
  /** By reason, as the render stage would fail them: `render-failed`, `message-too-long`, `template-not-found`. */
  numberOfContactsFailed: Record<string, number>;
  /**
   * Template variables with neither a value nor a default, and for how many contacts; for an
   * email campaign also the parts of the email that use them (`subject`, `html`, `text`).
   */
  unresolvedVariables: { name: string; numberOfContacts: number; parts?: EmailPart[] }[];
  /** SMS campaigns only (null for email): segments of every message that would be sent, by encoding. */
  sms: {
    totalSegments: number;
    byEncoding: Record<string, { numberOfContacts: number; segments: number }>;
  } | null;
  messagesPerMinute: number;
  /**
   * Seconds from the start until the last contact is dispatched at `messagesPerMinute`: every
   * contact with a valid address takes a pacing slot (also those the filter or rendering stops).
   */
  estimatedDurationSeconds: number;
}

export class PreviewTally {
  private audience = 0;
  private filteredOut = 0;
  private toMessage = 0;
  private dispatched = 0;
  private readonly skipped: Record<string, number> = {};
  private readonly perDncList = new Map<string, number>();
  private readonly failed: Record<string, number> = {};
  private readonly unresolved = new Map<string, { contacts: number; parts: Set<EmailPart> }>();
  private readonly encodings: Record<string, { numberOfContacts: number; segments: number }> = {};
  private segments = 0;

  constructor(private readonly channel: 'sms' | 'email') {}

  /** A page of the audience: its size, and how many of the list the filter left out. */
  addAudience(contacts: number, filteredOut: number): void {
    this.audience += contacts;
    this.filteredOut += filteredOut;
  }

  /** Contacts the dispatcher would skip for their address (they take no pacing slot). */
  addInvalidAddresses(n: number): void {
    if (n > 0) this.skipped['invalid-address'] = (this.skipped['invalid-address'] ?? 0) + n;
  }

  /** A contact with a valid address: it would be dispatched, then filtered. */
  addFilterDecision(d: FilterDecision): void {
    this.dispatched++;
    if (d.cleared) return;
    this.skipped[d.reason] = (this.skipped[d.reason] ?? 0) + 1;
    if (d.dncListId) this.perDncList.set(d.dncListId, (this.perDncList.get(d.dncListId) ?? 0) + 1);
  }

  /** A cleared contact's rendering. */
  addRender(o: SmsRenderOutcome | EmailRenderOutcome): void {
    if (!o.ok) {
      this.failed[o.reason] = (this.failed[o.reason] ?? 0) + 1;
      for (const name of o.missing ?? []) {
        const u = this.unresolved.get(name) ?? { contacts: 0, parts: new Set<EmailPart>() };
        u.contacts++;
        if ('missingIn' in o) for (const [part, names] of Object.entries(o.missingIn ?? {})) if (names.includes(name)) u.parts.add(part as EmailPart);
        this.unresolved.set(name, u);
      }
      return;
    }
    this.toMessage++;
    if (!('segments' in o)) return;
    this.segments += o.segments;
    const e = (this.encodings[o.encoding] ??= { numberOfContacts: 0, segments: 0 });
    e.numberOfContacts++;
    e.segments += o.segments;
  }

  result(campaign: { messagesPerMinute: number; dncListIds: string[] }): PreviewResult {
    const seconds = this.dispatched <= 1 ? 0 : ((this.dispatched - 1) * 60) / campaign.messagesPerMinute;
    return {
      totalNumberOfContacts: this.audience,
      numberOfContactsFilteredOut: this.filteredOut,
      numberOfContactsToMessage: this.toMessage,
      numberOfContactsSkipped: { ...this.skipped },
      dncLists: campaign.dncListIds.map((id) => ({ id, selfUri: `/api/v2/outbound/dnclists/${id}`, numberOfContactsSkipped: this.perDncList.get(id) ?? 0 })),
      numberOfContactsFailed: { ...this.failed },
      unresolvedVariables: [...this.unresolved]
        .map(([name, u]) => (this.channel === 'email' ? { name, numberOfContacts: u.contacts, parts: [...u.parts].sort() } : { name, numberOfContacts: u.contacts }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      sms: this.channel === 'sms' ? { totalSegments: this.segments, byEncoding: structuredClone(this.encodings) } : null,
      messagesPerMinute: campaign.messagesPerMinute,
      estimatedDurationSeconds: Math.round(seconds * 1000) / 1000,
    };
  }
}
