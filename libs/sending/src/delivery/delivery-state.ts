import { EngagementOutcome, ENGAGEMENT_OUTCOMES, ReceiptOutcome, receiptRank, ResultOutcome } from '@herald/contracts';

/**
 * One provider event about one message, in the gateway's words (each gateway maps its provider's
 * JSON to this): `sent` (the provider or carrier has it, not final: SMS queued/pending/successful
 * without a final flag, SES send or delivery delay), a receipt, an engagement, or `unknown` (the
 * provider itself gave up knowing, e.g. SMS TEXT_UNKNOWN).
 */
export type ProviderEventKind = 'sent' | 'unknown' | ReceiptOutcome | EngagementOutcome;

export interface ProviderEvent {
  /** Herald's message id, from the provider's echo field (SMS `context.heraldMessageId`, SES tag `herald-message-id`). */
  messageId: string;
  providerMessageId?: string;
  kind: ProviderEventKind;
  /** The provider's code (`TEXT_CARRIER_UNREACHABLE`, `Permanent/General`, …). */
  reason?: string;
  detail?: string;
  /** When the provider saw it (ISO 8601). */
  occurredAt: string;
  /** Addresses the global suppression must hold because of this event (hard bounce, complaint). */
  suppress?: { address: string; reason: 'bounce' | 'complaint'; source: string }[];
}

/** What the send ledger knows of a message's delivery (ledger columns state, provider_message_id, delivery, delivery_reason, engagement). */
export interface DeliveryRecord {
  /** The send ledger's state: `claimed`, `accepted`, `rejected` or `unknown`. */
  sendState: string;
  providerMessageId: string | null;
  /** null (no word yet), `unknown` (none in time, or the provider gave up), or a receipt. */
  delivery: string | null;
  deliveryReason: string | null;
  /** Engagements already reported. */
  engagement: string[];
}

/** A result to publish because of the events. */
export interface DeliveryStep {
  outcome: ResultOutcome;
  reason?: string;
  detail?: string;
  providerMessageId?: string;
  occurredAt: string;
  /** Addresses to suppress because of this step (its event's). */
  suppress?: ProviderEvent['suppress'];
}

export const RESOLVED_BY_EVENT_DETAIL = 'the send was ambiguous, but the provider reported on the message, so it did reach the provider';

/**
 * The per-message delivery state machine, pure. Rules (docs/reliability.md):
 * - a receipt replaces the recorded one only if it ranks higher (RECEIPT_OUTCOMES: delivered <
 *   undelivered < bounced < complained), so the final state does not depend on the order the
 *   events arrive in, and a late or repeated weaker event changes nothing;
 * - `unknown` (no receipt in time, or the provider's own unknown) is recorded only while there is
 *   no word at all, and any receipt replaces it;
 * - each engagement (opened, clicked) is reported once;
 * - a send the ledger recorded `unknown` (ambiguous) that the provider reports on was accepted:
 *   the ledger becomes `accepted` and an `accepted` result says so;
 * - anything that changes nothing publishes nothing (duplicates are silent).
 */
export function applyProviderEvents(current: DeliveryRecord, events: ProviderEvent[]): { record: DeliveryRecord; steps: DeliveryStep[] } {
  const record: DeliveryRecord = { ...current, engagement: [...current.engagement] };
  const steps: DeliveryStep[] = [];
  const ordered = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  for (const e of ordered) {
    if (record.sendState === 'unknown') {
      record.sendState = 'accepted';
      record.providerMessageId ??= e.providerMessageId ?? null;
      steps.push({ outcome: 'accepted', detail: RESOLVED_BY_EVENT_DETAIL, providerMessageId: record.providerMessageId ?? undefined, occurredAt: e.occurredAt });
    }
    if (e.providerMessageId && !record.providerMessageId) record.providerMessageId = e.providerMessageId;
    if ((ENGAGEMENT_OUTCOMES as readonly string[]).includes(e.kind)) {
      if (record.engagement.includes(e.kind)) continue;
      record.engagement.push(e.kind);
      steps.push(step(e, e.kind as EngagementOutcome, record));
    } else if (e.kind === 'unknown') {
      if (record.delivery !== null) continue;
      record.delivery = 'unknown';
      record.deliveryReason = e.reason ?? null;
      steps.push(step(e, 'unknown', record));
    } else if (e.kind !== 'sent' && receiptRank(e.kind) > receiptRank(record.delivery ?? '')) {
      record.delivery = e.kind;
      record.deliveryReason = e.reason ?? null;
      steps.push(step(e, e.kind, record));
    }
  }
  return { record, steps };
}

function step(e: ProviderEvent, outcome: ResultOutcome, record: DeliveryRecord): DeliveryStep {
  return { outcome, reason: e.reason, detail: e.detail, providerMessageId: record.providerMessageId ?? undefined, occurredAt: e.occurredAt, ...(e.suppress?.length ? { suppress: e.suppress } : {}) };
}
