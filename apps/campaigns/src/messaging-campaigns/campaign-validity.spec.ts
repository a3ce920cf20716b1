import { campaignErrors, ValidityContext } from './campaign-validity';

const base: ValidityContext = {
  contactList: { id: 'L', columnNames: ['name', 'phone'], phoneColumns: [{ columnName: 'phone' }] },
  sms: { phoneColumn: 'phone', senderSmsPhoneNumber: '+15555550100', contentTemplateId: 'T' },
  template: { id: 'T', variables: ['name'], substitutions: [{ id: 'name' }] },
  senderProvisioned: true,
};

describe('campaignErrors', () => {
  it('finds nothing wrong with a campaign whose columns, template and sender hold together', () => {
    expect(campaignErrors(base)).toEqual([]);
  });

  it('names a template column the list lacks, unless the substitution has a default', () => {
    const template = { id: 'T', variables: ['name', 'account', 'city'], substitutions: [{ id: 'city', defaultValue: '' }] };
    const errors = campaignErrors({ ...base, template });
    expect(errors).toEqual([{ error: 'campaign.template.column.missing', details: expect.stringContaining('{{account}}') }]);
  });

  it('names a phone or message column that is not a column of the list', () => {
    const errors = campaignErrors({ ...base, sms: { ...base.sms!, phoneColumn: 'mobile', messageColumn: 'text' } });
    expect(errors.map((e) => e.error)).toEqual(['campaign.phone.column.unknown', 'campaign.message.column.unknown']);
    expect(errors[0]!.details).toMatch(/phoneColumn "mobile"/);
  });

  it('names a sender number that is not provisioned', () => {
    expect(campaignErrors({ ...base, senderProvisioned: false })).toEqual([{ error: 'campaign.sender.unknown', details: expect.stringContaining('+15555550100') }]);
  });

  it('lists every cause at once', () => {
    expect(campaignErrors({ ...base, senderProvisioned: false, sms: { ...base.sms!, phoneColumn: 'x' } })).toHaveLength(2);
  });

  describe('an email campaign', () => {
    const email: ValidityContext = {
      contactList: base.contactList,
      sms: null,
      email: { emailColumns: ['email'], contentTemplateId: 'E', fromDomain: 'mail.example.com', fromLocalPart: 'news' },
      sendingDomain: { id: 'mail.example.com', verifiedForSending: true, dkimVerificationResult: { status: 'VERIFIED' } },
    };

    it('is valid from a provisioned, verified sending domain', () => {
      expect(campaignErrors(email)).toEqual([]);
    });

    it('names a from domain that is not provisioned', () => {
      expect(campaignErrors({ ...email, sendingDomain: null })).toEqual([
        { error: 'campaign.email.domain.not.provisioned', details: expect.stringContaining('news@mail.example.com') },
      ]);
    });

    it('names a from domain whose DKIM is not verified yet, with its status', () => {
      const pending = { id: 'mail.example.com', verifiedForSending: false, dkimVerificationResult: { status: 'PENDING' } };
      expect(campaignErrors({ ...email, sendingDomain: pending })).toEqual([{ error: 'campaign.email.domain.unverified', details: expect.stringContaining('DKIM PENDING') }]);
    });
  });
});
