import { describeOutcome } from './outcome-wording';

describe('describeOutcome', () => {
  const of = (outcome: string, reason: string | null = null, dncListId: string | null = null) => describeOutcome({ outcome, reason, dncListId });

  it('words each outcome for people', () => {
    expect(of('accepted')).toBe('messaged');
    expect(of('rejected', 'InvalidDestination')).toBe('rejected by aggregator');
    expect(of('skipped', 'dnc', '4f1d2c3b-0000-4000-8000-000000000001')).toBe('skipped: DNC (list 4f1d2c3b-0000-4000-8000-000000000001)');
    expect(of('skipped', 'suppressed')).toBe('skipped: opted out');
    expect(of('skipped', 'invalid-address')).toBe('skipped: invalid address');
    expect(of('failed', 'render-failed')).toBe('failed: render-failed');
    expect(of('unknown', 'timeout')).toBe('unknown: timeout');
    expect(of('delivered')).toBe('delivered');
    expect(of('bounced')).toBe('bounced');
  });
});
