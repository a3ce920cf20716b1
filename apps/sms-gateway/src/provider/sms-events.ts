import { ProviderEvent, ProviderEventKind } from '@herald/sending';

/**
 * AWS End User Messaging SMS v2 event-destination events (the JSON an SNS event destination
 * publishes), in the gateway's words. Herald's message id is the `context.heraldMessageId` the
 * gateway put in `SendTextMessage`'s Context.
 *
 * - TEXT_DELIVERED, and TEXT_SUCCESSFUL with `isFinal` (countries where the carrier's acceptance is
 *   the last word): `delivered`;
 * - TEXT_SUCCESSFUL not final, TEXT_PENDING, TEXT_QUEUED: `sent` (no result; resolves an ambiguous send);
 * - TEXT_INVALID, TEXT_INVALID_MESSAGE, TEXT_UNREACHABLE, TEXT_CARRIER_UNREACHABLE, TEXT_BLOCKED,
 *   TEXT_CARRIER_BLOCKED, TEXT_SPAM, TEXT_PROTECT_BLOCKED, TEXT_TTL_EXPIRED: `undelivered`, reason the event type;
 * - TEXT_UNKNOWN (AWS heard nothing from the carrier for 72 hours): `unknown`.
 * Other types (voice, media, registrations) and events without a Herald message id are ignored.
 */
const KINDS: Record<string, ProviderEventKind> = {
  TEXT_DELIVERED: 'delivered',
  TEXT_PENDING: 'sent',
  TEXT_QUEUED: 'sent',
  TEXT_INVALID: 'undelivered',
  TEXT_INVALID_MESSAGE: 'undelivered',
  TEXT_UNREACHABLE: 'undelivered',
  TEXT_CARRIER_UNREACHABLE: 'undelivered',
  TEXT_BLOCKED: 'undelivered',
  TEXT_CARRIER_BLOCKED: 'undelivered',
  TEXT_SPAM: 'undelivered',
  TEXT_PROTECT_BLOCKED: 'undelivered',
  TEXT_TTL_EXPIRED: 'undelivered',
  TEXT_UNKNOWN: 'unknown',
};

export function smsEventsOf(payload: unknown): ProviderEvent[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const e = payload as Record<string, unknown>;
  const type = typeof e['eventType'] === 'string' ? e['eventType'] : '';
  const context = e['context'] as Record<string, unknown> | undefined;
  const messageId = typeof context?.['heraldMessageId'] === 'string' ? context['heraldMessageId'] : undefined;
  const kind = type === 'TEXT_SUCCESSFUL' ? (e['isFinal'] === true ? 'delivered' : 'sent') : KINDS[type];
  if (!messageId || !kind) return [];
  const at = typeof e['eventTimestamp'] === 'number' ? new Date(e['eventTimestamp']) : new Date();
  const description = typeof e['messageStatusDescription'] === 'string' ? e['messageStatusDescription'] : undefined;
  return [
    {
      messageId,
      providerMessageId: typeof e['messageId'] === 'string' ? e['messageId'] : undefined,
      kind,
      ...(kind === 'undelivered' || kind === 'unknown' ? { reason: type } : {}),
      ...(description ? { detail: description } : {}),
      occurredAt: (Number.isNaN(at.getTime()) ? new Date() : at).toISOString(),
    },
  ];
}
