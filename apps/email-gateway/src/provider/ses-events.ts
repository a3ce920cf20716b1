import { ProviderEvent, ProviderEventKind } from '@herald/sending';

/** The SES tag that carries Herald's message id (set on every SendEmail). */
export const MESSAGE_ID_TAG = 'herald-message-id';

type Json = Record<string, unknown>;

/**
 * Amazon SES event-publishing records (a configuration set's event destination → SNS), in the
 * gateway's words. Herald's message id is the `herald-message-id` tag (`mail.tags`).
 *
 * - Send, DeliveryDelay: `sent` (no result; resolves an ambiguous send);
 * - Delivery: `delivered`;
 * - Bounce: `bounced`, reason `<bounceType>/<bounceSubType>`; a `Permanent` bounce also suppresses
 *   each bounced recipient (reason `bounce`, source `ses:bounce:<type>/<subtype>`);
 * - Complaint: `complained`, reason the feedback type; suppresses each complaining recipient
 *   (reason `complaint`, source `ses:complaint:<feedback type>`);
 * - Reject, Rendering Failure: `undelivered` (reason `ses:reject`, `ses:rendering-failure`);
 * - Open, Click: `opened`, `clicked`.
 * The event type is read as SES writes it (`Bounce`, `Rendering Failure`) or as the configuration
 * API names it (`BOUNCE`, `RENDERING_FAILURE`). Subscription events and untagged mail are ignored.
 */
export function sesEventsOf(payload: unknown): ProviderEvent[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const record = payload as Json;
  const type = String(record['eventType'] ?? record['notificationType'] ?? '')
    .toLowerCase()
    .replace(/[\s_]/g, '');
  const mail = (record['mail'] ?? {}) as Json;
  const tags = (mail['tags'] ?? {}) as Record<string, unknown>;
  const tag = tags[MESSAGE_ID_TAG];
  const messageId = Array.isArray(tag) && typeof tag[0] === 'string' ? tag[0] : undefined;
  if (!messageId) return [];
  const providerMessageId = typeof mail['messageId'] === 'string' ? mail['messageId'] : undefined;
  const base = (kind: ProviderEventKind, detailObject: Json | undefined, extra: Partial<ProviderEvent> = {}): ProviderEvent[] => [
    { messageId, providerMessageId, kind, occurredAt: timeOf(detailObject?.['timestamp'] ?? mail['timestamp']), ...extra },
  ];
  switch (type) {
    case 'send':
      return base('sent', record['send'] as Json);
    case 'deliverydelay': {
      const delay = (record['deliveryDelay'] ?? {}) as Json;
      return base('sent', delay, { reason: stringOr(delay['delayType'], 'delayed') });
    }
    case 'delivery':
      return base('delivered', record['delivery'] as Json);
    case 'bounce': {
      const bounce = (record['bounce'] ?? {}) as Json;
      const reason = `${stringOr(bounce['bounceType'], 'Undetermined')}/${stringOr(bounce['bounceSubType'], 'General')}`;
      const permanent = bounce['bounceType'] === 'Permanent';
      const recipients = addresses(bounce['bouncedRecipients']);
      return base('bounced', bounce, {
        reason,
        detail: firstDiagnostic(bounce['bouncedRecipients']),
        ...(permanent ? { suppress: recipients.map((address) => ({ address, reason: 'bounce' as const, source: `ses:bounce:${reason}` })) } : {}),
      });
    }
    case 'complaint': {
      const complaint = (record['complaint'] ?? {}) as Json;
      const feedback = stringOr(complaint['complaintFeedbackType'], 'unspecified');
      return base('complained', complaint, {
        reason: feedback,
        suppress: addresses(complaint['complainedRecipients']).map((address) => ({ address, reason: 'complaint' as const, source: `ses:complaint:${feedback}` })),
      });
    }
    case 'reject':
      return base('undelivered', record['reject'] as Json, { reason: 'ses:reject', detail: stringOr(((record['reject'] ?? {}) as Json)['reason'], undefined) });
    case 'renderingfailure':
      return base('undelivered', record['failure'] as Json, { reason: 'ses:rendering-failure' });
    case 'open':
      return base('opened', record['open'] as Json);
    case 'click':
      return base('clicked', record['click'] as Json);
    default:
      return [];
  }
}

function stringOr<T extends string | undefined>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function addresses(recipients: unknown): string[] {
  if (!Array.isArray(recipients)) return [];
  return recipients.map((r) => (r as Json)?.['emailAddress']).filter((a): a is string => typeof a === 'string' && a.includes('@'));
}

/** The SMTP diagnostic of the first bounced recipient, without the address (results never carry one). */
function firstDiagnostic(recipients: unknown): string | undefined {
  if (!Array.isArray(recipients) || recipients.length === 0) return undefined;
  const r = recipients[0] as Json;
  const status = typeof r['status'] === 'string' ? r['status'] : undefined;
  return status ? `SMTP status ${status}` : undefined;
}

function timeOf(value: unknown): string {
  const at = typeof value === 'string' || typeof value === 'number' ? new Date(value) : new Date();
  return (Number.isNaN(at.getTime()) ? new Date() : at).toISOString();
}
