import { DomainError } from '@herald/service';
import { campaignInvalid, nextStatus } from './campaign-status';
import { CampaignError } from './campaign-validity';

const error: CampaignError = { error: 'campaign.sender.unknown', details: 'sender +15550100 is not provisioned' };

describe('nextStatus', () => {
  it('turns a valid campaign on, and an on campaign asked for off into stopping', () => {
    expect(nextStatus('off', 'on', [])).toBe('on');
    expect(nextStatus('on', 'off', [])).toBe('stopping');
    expect(nextStatus('on', 'stopping', [])).toBe('stopping');
    expect(nextStatus('stopping', 'off', [])).toBe('off'); // stop waiting
    expect(nextStatus('stopping', 'on', [])).toBe('on'); // resume
  });

  it('keeps a campaign with errors invalid, and a fixed one off', () => {
    expect(nextStatus('off', 'off', [error])).toBe('invalid');
    expect(nextStatus('invalid', 'invalid', [])).toBe('off');
    expect(nextStatus('invalid', 'off', [error])).toBe('invalid');
    expect(nextStatus('invalid', 'on', [])).toBe('on');
  });

  it('makes a campaign with errors invalid when it is asked to go on, whatever it was', () => {
    expect(nextStatus('invalid', 'on', [error])).toBe('invalid');
    expect(nextStatus('off', 'on', [error])).toBe('invalid');
    expect(nextStatus('on', 'on', [error])).toBe('invalid');
    expect(nextStatus('stopping', 'on', [error])).toBe('invalid');
  });

  it('refuses to turn a campaign with errors on with 409, naming them', () => {
    const e = campaignInvalid([error]);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'campaign.invalid', status: 409, details: [error] });
    expect(e.message).toContain('sender +15550100 is not provisioned');
  });

  it('refuses transitions a client may not ask for', () => {
    expect(() => nextStatus('off', 'complete', [])).toThrow(/cannot be set to complete/);
    expect(() => nextStatus('complete', 'on', [])).toThrow(/a campaign that is complete cannot be set to on/);
    expect(() => nextStatus('off', 'stopping', [])).toThrow(DomainError);
  });
});
