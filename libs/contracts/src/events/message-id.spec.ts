import { campaignMessageId, idempotentMessageId, triggerEventMessageId, uuidV5 } from './message-id';

describe('message ids', () => {
  it('computes RFC 9562 version-5 UUIDs (the RFC example: DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same id for the same run, contact and channel, and different ids otherwise', () => {
    const run = '6f0e8c2a-1d2b-4c4e-9a51-2f3b4c5d6e7f';
    expect(campaignMessageId(run, 'c1', 'sms')).toBe(campaignMessageId(run, 'c1', 'sms'));
    expect(campaignMessageId(run, 'c1', 'sms')).not.toBe(campaignMessageId(run, 'c2', 'sms'));
    expect(campaignMessageId(run, 'c1', 'sms')).not.toBe(campaignMessageId(run, 'c1', 'email'));
  });

  it('names a message by its idempotency key, or by the trigger event source and id', () => {
    expect(idempotentMessageId('order-1')).toBe(idempotentMessageId('order-1'));
    expect(idempotentMessageId('order-1')).not.toBe(idempotentMessageId('order-2'));
    // A REST caller's key is its own: another client's equal key, or the trigger topic's, is another message.
    expect(idempotentMessageId('order-1', 'client-a')).toBe(idempotentMessageId('order-1', 'client-a'));
    expect(idempotentMessageId('order-1', 'client-a')).not.toBe(idempotentMessageId('order-1', 'client-b'));
    expect(idempotentMessageId('order-1', 'client-a')).not.toBe(idempotentMessageId('order-1'));
    expect(triggerEventMessageId('/shop', 'e1')).toBe(triggerEventMessageId('/shop', 'e1'));
    expect(triggerEventMessageId('/shop', 'e1')).not.toBe(triggerEventMessageId('/crm', 'e1'));
    // No concatenation ambiguity between source and id.
    expect(triggerEventMessageId('/a', 'b/c')).not.toBe(triggerEventMessageId('/a/b', 'c'));
  });
});
