import { sesEventsOf } from './ses-events';

const ID = '3f0b8d5e-8a51-4c57-9d0e-1c1d2f9e7a10';
const mail = {
  timestamp: '2026-01-01T00:00:00.000Z',
  source: 'news@mail.example.com',
  messageId: 'ses-1',
  destination: ['bounce@simulator.amazonses.com'],
  tags: { 'ses:configuration-set': ['herald'], 'herald-message-id': [ID] },
};

describe('sesEventsOf', () => {
  it('maps a delivery, matched by the herald-message-id tag, at the delivery time', () => {
    expect(sesEventsOf({ eventType: 'Delivery', mail, delivery: { timestamp: '2026-01-01T00:00:02.000Z', recipients: ['a@example.org'] } })).toEqual([
      { messageId: ID, providerMessageId: 'ses-1', kind: 'delivered', occurredAt: '2026-01-01T00:00:02.000Z' },
    ]);
  });

  it('suppresses the recipients of a permanent bounce, not of a transient one', () => {
    const bounce = (bounceType: string) => ({
      eventType: 'Bounce',
      mail,
      bounce: { bounceType, bounceSubType: 'General', timestamp: '2026-01-01T00:00:03.000Z', bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com', status: '5.1.1' }] },
    });
    expect(sesEventsOf(bounce('Permanent'))).toEqual([
      {
        messageId: ID,
        providerMessageId: 'ses-1',
        kind: 'bounced',
        reason: 'Permanent/General',
        detail: 'SMTP status 5.1.1',
        occurredAt: '2026-01-01T00:00:03.000Z',
        suppress: [{ address: 'bounce@simulator.amazonses.com', reason: 'bounce', source: 'ses:bounce:Permanent/General' }],
      },
    ]);
    const [transient] = sesEventsOf(bounce('Transient'));
    expect(transient).toMatchObject({ kind: 'bounced', reason: 'Transient/General' });
    expect(transient!.suppress).toBeUndefined();
  });

  it('suppresses a complaining recipient with the feedback type as provenance', () => {
    const [e] = sesEventsOf({ eventType: 'Complaint', mail, complaint: { complaintFeedbackType: 'abuse', timestamp: '2026-01-01T00:00:04.000Z', complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }] } });
    expect(e).toMatchObject({ kind: 'complained', reason: 'abuse', suppress: [{ address: 'complaint@simulator.amazonses.com', reason: 'complaint', source: 'ses:complaint:abuse' }] });
  });

  it('reads the configuration API spelling of event types too, and maps the rest', () => {
    expect(sesEventsOf({ eventType: 'DELIVERY_DELAY', mail, deliveryDelay: { delayType: 'MailboxFull' } })[0]).toMatchObject({ kind: 'sent', reason: 'MailboxFull' });
    expect(sesEventsOf({ eventType: 'REJECT', mail, reject: { reason: 'Bad content' } })[0]).toMatchObject({ kind: 'undelivered', reason: 'ses:reject', detail: 'Bad content' });
    expect(sesEventsOf({ eventType: 'Rendering Failure', mail, failure: {} })[0]).toMatchObject({ kind: 'undelivered', reason: 'ses:rendering-failure' });
    expect(sesEventsOf({ eventType: 'Open', mail, open: { timestamp: '2026-01-01T00:01:00.000Z' } })[0]).toMatchObject({ kind: 'opened', occurredAt: '2026-01-01T00:01:00.000Z' });
    expect(sesEventsOf({ eventType: 'CLICK', mail, click: { link: 'https://example.org' } })[0]).toMatchObject({ kind: 'clicked' });
    expect(sesEventsOf({ eventType: 'Send', mail, send: {} })[0]).toMatchObject({ kind: 'sent' });
  });

  it('ignores untagged mail and subscription events', () => {
    expect(sesEventsOf({ eventType: 'Delivery', mail: { ...mail, tags: {} }, delivery: {} })).toEqual([]);
    expect(sesEventsOf({ eventType: 'Subscription', mail, subscription: {} })).toEqual([]);
  });
});
