// Amazon SES event-publishing records (a configuration set's event destination → SNS) for what
// the local SES emulator received. Which events an email gets depends only on its recipient, so
// runs are deterministic (README "Provider events"): the SES mailbox simulator's addresses, or a
// local part (before an optional `+tag`) naming the behaviour on any domain.
import type { ReceivedEmail } from '../demo/email-campaign';

export const SES_BEHAVIOURS = ['deliver', 'bounce', 'suppressionlist', 'softbounce', 'complaint', 'ooto', 'delay', 'reject', 'open', 'click', 'noevents'] as const;
export type SesBehaviour = (typeof SES_BEHAVIOURS)[number];

/** `bounce@simulator.amazonses.com`, `bounce+42@example.org` → bounce; an ordinary address → deliver. */
export function behaviourOf(address: string): SesBehaviour {
  const local = address.slice(0, address.lastIndexOf('@')).toLowerCase().split('+')[0]!;
  return (SES_BEHAVIOURS as readonly string[]).includes(local) ? (local as SesBehaviour) : 'deliver';
}

type Json = Record<string, unknown>;

/** The header the email-gateway sets beside the SES tag (the emulator keeps headers, not tags). */
const MESSAGE_ID_HEADER = 'x-herald-message-id';

/**
 * The SES events of one received email, in the order SES would publish them, `stepMs` apart
 * from its sending time. An email without Herald's message id header gets none (it is not Herald's).
 */
export function sesEventsFor(email: ReceivedEmail & { at?: number }, stepMs = 50): Json[] {
  const heraldId = email.headers?.find((h) => h.name.toLowerCase() === MESSAGE_ID_HEADER)?.value;
  const recipient = email.destination.to[0];
  if (!heraldId || !recipient) return [];
  const sentAt = (email.at ?? Date.now() / 1000) * 1000;
  const at = (step: number) => new Date(sentAt + step * stepMs).toISOString();
  const source = /<([^>]+)>/.exec(email.from)?.[1] ?? email.from;
  const mail: Json = {
    timestamp: at(0),
    source,
    sourceArn: `arn:aws:ses:us-east-1:000000000000:identity/${source.split('@')[1] ?? source}`,
    sendingAccountId: '000000000000',
    messageId: email.messageId,
    destination: [...email.destination.to, ...email.destination.cc, ...email.destination.bcc],
    headersTruncated: false,
    headers: (email.headers ?? []).filter((h) => h.name.toLowerCase() === MESSAGE_ID_HEADER),
    commonHeaders: { from: [email.from], to: email.destination.to, messageId: email.messageId, subject: email.subject },
    tags: {
      'ses:configuration-set': ['herald-local'],
      'ses:source-ip': ['127.0.0.1'],
      'ses:from-domain': [source.split('@')[1] ?? ''],
      'herald-message-id': [heraldId],
    },
  };
  const send: Json = { eventType: 'Send', mail, send: {} };
  const delivery = (step: number): Json => ({
    eventType: 'Delivery',
    mail,
    delivery: { timestamp: at(step), processingTimeMillis: step * stepMs, recipients: [recipient], smtpResponse: '250 2.6.0 Message received', reportingMTA: 'a8-70.smtp-out.amazonses.com' },
  });
  const bounce = (step: number, bounceType: string, bounceSubType: string, status: string): Json => ({
    eventType: 'Bounce',
    mail,
    bounce: {
      bounceType,
      bounceSubType,
      bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status, diagnosticCode: `smtp; ${status}` }],
      timestamp: at(step),
      feedbackId: `${email.messageId}-bounce`,
      reportingMTA: 'dsn; a8-70.smtp-out.amazonses.com',
    },
  });
  const delay = (step: number): Json => ({
    eventType: 'DeliveryDelay',
    mail,
    deliveryDelay: { timestamp: at(step), delayType: 'MailboxFull', expirationTime: at(step + 100), delayedRecipients: [{ emailAddress: recipient, status: '4.2.2', diagnosticCode: 'smtp; 452 4.2.2 Mailbox full' }] },
  });
  const open = (step: number): Json => ({ eventType: 'Open', mail, open: { timestamp: at(step), userAgent: 'Mozilla/5.0', ipAddress: '192.0.2.1' } });
  switch (behaviourOf(recipient)) {
    case 'bounce':
      return [send, bounce(1, 'Permanent', 'General', '5.1.1')];
    case 'suppressionlist':
      return [send, bounce(1, 'Permanent', 'OnAccountSuppressionList', '5.1.1')];
    case 'softbounce':
      return [send, delay(1), bounce(2, 'Transient', 'MailboxFull', '4.2.2')];
    case 'complaint':
      return [
        send,
        delivery(1),
        {
          eventType: 'Complaint',
          mail,
          complaint: { complainedRecipients: [{ emailAddress: recipient }], timestamp: at(2), feedbackId: `${email.messageId}-complaint`, complaintFeedbackType: 'abuse', userAgent: 'Mozilla/5.0' },
        },
      ];
    case 'delay':
      return [send, delay(1), delivery(2)];
    case 'reject':
      return [{ eventType: 'Reject', mail, reject: { reason: 'Bad content' } }];
    case 'open':
      return [send, delivery(1), open(2)];
    case 'click':
      return [send, delivery(1), open(2), { eventType: 'Click', mail, click: { timestamp: at(3), ipAddress: '192.0.2.1', userAgent: 'Mozilla/5.0', link: 'https://example.org/', linkTags: {} } }];
    case 'noevents':
      return [];
    case 'ooto':
    case 'deliver':
      return [send, delivery(1)];
  }
}
