import { smsEventsOf } from './sms-events';

const ID = '3f0b8d5e-8a51-4c57-9d0e-1c1d2f9e7a10';
const event = (eventType: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  eventVersion: '1.0',
  eventTimestamp: 1_767_225_600_000,
  isFinal: true,
  originationPhoneNumber: '+15555550100',
  destinationPhoneNumber: '+12025550101',
  messageId: 'provider-1',
  messageStatus: 'DELIVERED',
  messageStatusDescription: 'Message has been accepted by phone',
  context: { heraldMessageId: ID },
  ...extra,
});

describe('smsEventsOf', () => {
  it('maps a delivery to `delivered`, matched by the Context echo, at the event time', () => {
    expect(smsEventsOf(event('TEXT_DELIVERED'))).toEqual([
      { messageId: ID, providerMessageId: 'provider-1', kind: 'delivered', detail: 'Message has been accepted by phone', occurredAt: '2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('takes TEXT_SUCCESSFUL as delivered only when it is final', () => {
    expect(smsEventsOf(event('TEXT_SUCCESSFUL'))[0]!.kind).toBe('delivered');
    expect(smsEventsOf(event('TEXT_SUCCESSFUL', { isFinal: false }))[0]!.kind).toBe('sent');
    expect(smsEventsOf(event('TEXT_QUEUED', { isFinal: false }))[0]!.kind).toBe('sent');
  });

  it('maps the failure family and TTL expiry to `undelivered` with the event type as reason, TEXT_UNKNOWN to `unknown`', () => {
    for (const type of ['TEXT_CARRIER_UNREACHABLE', 'TEXT_BLOCKED', 'TEXT_SPAM', 'TEXT_TTL_EXPIRED', 'TEXT_INVALID']) {
      expect(smsEventsOf(event(type))[0]).toMatchObject({ kind: 'undelivered', reason: type });
    }
    expect(smsEventsOf(event('TEXT_UNKNOWN'))[0]).toMatchObject({ kind: 'unknown', reason: 'TEXT_UNKNOWN' });
  });

  it('ignores events without a Herald message id and types it does not know', () => {
    expect(smsEventsOf(event('TEXT_DELIVERED', { context: { account: 'other' } }))).toEqual([]);
    expect(smsEventsOf(event('VOICE_COMPLETED'))).toEqual([]);
    expect(smsEventsOf('TEXT_DELIVERED')).toEqual([]);
  });
});
