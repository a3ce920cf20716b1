import { EventPublisher } from '@herald/messaging';
import { DataSource } from 'typeorm';
import { LedgeredMessage, LedgeredSender, LedgeredSenderOptions } from './ledgered-sender';

// What the constructor refuses; the sending itself is tested on the real database and broker
// (test/e2e/ledgered-sender.e2e-spec.ts).
function build(options: Partial<LedgeredSenderOptions<LedgeredMessage>>): LedgeredSender<LedgeredMessage> {
  return new LedgeredSender<LedgeredMessage>({} as DataSource, {} as EventPublisher, {
    channel: 'email',
    table: 'email.send_attempt',
    columns: {},
    claimValues: () => ({}),
    send: async () => ({ outcome: 'accepted', providerMessageId: 'p' }),
    concurrency: 1,
    staleClaimMs: 1_000,
    ...options,
  });
}

describe('LedgeredSender options', () => {
  it('sends SMS at most once, whatever is asked', () => {
    expect(() => build({ channel: 'sms', table: 'sms.send_attempt' })).not.toThrow();
    expect(() => build({ channel: 'sms', table: 'sms.send_attempt', guarantee: 'at-least-once' })).toThrow(/SMS is sent at most once/);
  });

  it('takes email at least once, with a positive whole number of attempts', () => {
    expect(() => build({ guarantee: 'at-least-once', maxAttempts: 5 })).not.toThrow();
    expect(() => build({ guarantee: 'at-least-once', maxAttempts: 0 })).toThrow(/maxAttempts must be a positive integer, not 0/);
    expect(() => build({ guarantee: 'at-least-once', maxAttempts: 2.5 })).toThrow(/maxAttempts/);
  });

  it('names an unknown guarantee', () => {
    expect(() => build({ guarantee: 'exactly-once' as never })).toThrow(/unknown send guarantee: exactly-once \(expected at-most-once or at-least-once\)/);
  });
});
