import { messageOf } from './address';

const email = {
  config: {
    dncListIds: [],
    email: { emailColumns: ['work', 'home'], contentTemplateId: '60644bd0-bafc-4cb6-88c6-4959f492d27c', fromAddress: 'news@mail.example.com', fromName: 'Example', replyTo: 'help@example.com' },
  },
};
const sms = { config: { dncListIds: [], sms: { phoneColumn: 'phone', senderSmsPhoneNumber: '+15555550100', contentTemplateId: '60644bd0-bafc-4cb6-88c6-4959f492d27c' } } };

describe('messageOf', () => {
  it('addresses an email to the first non-empty email column, normalised, from the campaign sender', () => {
    expect(messageOf(email, { work: '  ', home: ' Jane.Doe@Example.ORG ' })).toEqual({
      address: 'Jane.Doe@example.org',
      senderAddress: 'news@mail.example.com',
      senderName: 'Example',
      replyTo: 'help@example.com',
      templateId: '60644bd0-bafc-4cb6-88c6-4959f492d27c',
    });
    expect(messageOf(email, { work: 'w@example.com', home: 'h@example.com' })).toMatchObject({ address: 'w@example.com' });
  });

  it('finds an email contact without an address, or with an invalid one, invalid', () => {
    expect(messageOf(email, { work: '', home: '' })).toEqual({ invalid: 'no email address in columns "work", "home"' });
    expect(messageOf(email, { work: 'not-an-address' })).toEqual({ invalid: 'invalid email address: missing @' });
    expect(messageOf(email, { work: 'jane@bad_label.example.org' })).toEqual({ invalid: 'invalid email address: invalid domain label' });
  });

  it('keeps SMS addressing as it was', () => {
    expect(messageOf(sms, { phone: '+12025550123' })).toMatchObject({ address: '+12025550123', senderAddress: '+15555550100' });
    expect(messageOf(sms, { phone: '' })).toEqual({ invalid: 'no valid phone number in column "phone"' });
  });
});
