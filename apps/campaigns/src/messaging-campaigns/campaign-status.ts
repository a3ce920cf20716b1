import { CampaignStatus } from '@herald/contracts';
import { DomainError } from '@herald/service';
import type { CampaignError } from './campaign-validity';

/** Status changes a client may ask for, from each status. `invalid` and `complete` are Herald's to set. */
const ALLOWED: Record<CampaignStatus, CampaignStatus[]> = {
  off: ['on', 'off', 'invalid'],
  invalid: ['on', 'off', 'invalid'],
  on: ['on', 'off', 'stopping'],
  stopping: ['on', 'off', 'stopping'],
  complete: ['complete', 'off'],
};

/**
 * The status a save leads to: `requested` is what the client asked for, `errors` what the
 * campaign's validity check found. Asking an `on` campaign for `off` makes it `stopping` (its
 * messages in flight finish; Herald sets `off` after); asking a `stopping` one for `off` stops
 * waiting. `off` becomes `invalid` while the campaign has errors, and so does asking for `on`:
 * a campaign with errors never starts (the save is then refused with `campaignInvalid`).
 */
export function nextStatus(current: CampaignStatus, requested: CampaignStatus, errors: CampaignError[]): CampaignStatus {
  if (!ALLOWED[current].includes(requested)) {
    throw new DomainError('campaign.status.transition', `a campaign that is ${current} cannot be set to ${requested}`, 400);
  }
  if (requested === 'on') return errors.length ? 'invalid' : 'on';
  if (requested === 'stopping') return 'stopping';
  if (requested === 'complete') return 'complete';
  if (current === 'on') return 'stopping';
  if (current === 'stopping') return 'off';
  return errors.length ? 'invalid' : 'off';
}

/** The answer to a request to turn on a campaign that has errors: 409 `campaign.invalid`, naming them. */
export function campaignInvalid(errors: CampaignError[]): DomainError {
  return new DomainError('campaign.invalid', `the campaign cannot be turned on: ${errors.map((e) => e.details).join('; ')}`, 409, errors.map((e) => ({ ...e })));
}
