import { phoneNumberPattern } from './phone-numbers.service';

describe('phoneNumberPattern', () => {
  it('matches a full E.164 number exactly', () => expect(phoneNumberPattern('+15555550100')).toBe('+15555550100'));
  it('matches plain digits anywhere', () => expect(phoneNumberPattern('317')).toBe('%317%'));
  it('anchors a pattern with * wildcards at the start of the number', () => expect(phoneNumberPattern('1317*')).toBe('+1317%'));
});
