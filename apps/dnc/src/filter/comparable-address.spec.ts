import { normaliseEntry } from '../dnc-lists/dnc-address';
import { comparableAddress } from './contact-filter.service';

describe('comparableAddress', () => {
  it('compares a dispatched email address with stored DNC and suppression entries case-insensitively', () => {
    const stored = normaliseEntry('JANE.Doe@Example.ORG', 'any', 'US');
    expect(stored).toEqual({ ok: true, kind: 'email', address: 'jane.doe@example.org' });
    // As contacts dispatches it: domain lower-cased, local part as written.
    expect(comparableAddress('email', 'Jane.DOE@example.org')).toBe(stored.ok && stored.address);
  });

  it('keeps phone numbers as they are (E.164)', () => {
    expect(comparableAddress('sms', '+12025550123')).toBe('+12025550123');
  });
});
