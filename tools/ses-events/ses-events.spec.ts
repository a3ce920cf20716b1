import { behaviourOf, sesEventsFor } from './ses-events';

const email = (to: string) => ({
  messageId: 'ses-1',
  from: '"Shop" <news@mail.example.com>',
  replyTo: [],
  destination: { to: [to], cc: [], bcc: [] },
  subject: 'Hi',
  body: { text: 'hi' },
  headers: [{ name: 'X-Herald-Message-Id', value: '3f0b8d5e-8a51-4c57-9d0e-1c1d2f9e7a10' }],
  at: 1_767_225_600,
});

describe('the local SES event destination', () => {
  it('picks a behaviour from the SES mailbox simulator address or the local part, else delivers', () => {
    expect(behaviourOf('bounce@simulator.amazonses.com')).toBe('bounce');
    expect(behaviourOf('Complaint+7@example.org')).toBe('complaint');
    expect(behaviourOf('noevents+x@example.org')).toBe('noevents');
    expect(behaviourOf('alice@example.org')).toBe('deliver');
    expect(behaviourOf('bouncer@example.org')).toBe('deliver');
  });

  it('writes SES event records tagged with the Herald message id, in SES order', () => {
    const events = sesEventsFor(email('complaint@simulator.amazonses.com'));
    expect(events.map((e) => e['eventType'])).toEqual(['Send', 'Delivery', 'Complaint']);
    expect(events[2]).toMatchObject({
      mail: { messageId: 'ses-1', source: 'news@mail.example.com', tags: { 'herald-message-id': ['3f0b8d5e-8a51-4c57-9d0e-1c1d2f9e7a10'] } },
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }] },
    });
    expect(sesEventsFor(email('bounce@simulator.amazonses.com'))[1]).toMatchObject({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General' } });
    expect(sesEventsFor(email('alice@example.org')).map((e) => e['eventType'])).toEqual(['Send', 'Delivery']);
    expect(sesEventsFor(email('noevents@example.org'))).toEqual([]);
    expect(sesEventsFor({ ...email('alice@example.org'), headers: [] })).toEqual([]);
  });
});
