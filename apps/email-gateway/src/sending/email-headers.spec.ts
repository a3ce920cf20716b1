import { verifyUnsubscribeToken } from '@herald/channels';
import { DomainError } from '@herald/service';
import { domainName } from '../domains/sending-domains.service';
import { mailbox } from '../provider/ses-email.provider';
import { emailHeaders } from './email-sender.service';

const settings = { unsubscribeBaseUrl: 'https://herald.example.com', unsubscribeSecret: 'a-test-secret-that-is-long-enough-1234' };
const email = {
  messageId: '0a3e2d7c-5b1f-5c8e-9d4a-7f6b1c2e3d4f',
  campaignId: 'dea4f9d4-d69b-4557-b019-91f185a904a2',
  division: 'home',
  from: 'news@mail.example.com',
  to: 'Jane@example.org',
  subject: 'Hello',
  text: 'Hi',
};

describe('campaign email headers', () => {
  it('carry an RFC 8058 one-click link whose token names the recipient, the message and the campaign', () => {
    const headers = Object.fromEntries(emailHeaders(email, settings).map((h) => [h.name, h.value]));
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['X-Herald-Message-Id']).toBe(email.messageId);
    const link = /^<https:\/\/herald\.example\.com\/api\/v2\/herald\/unsubscribe\/([^>]+)>$/.exec(headers['List-Unsubscribe']!);
    expect(link).not.toBeNull();
    expect(verifyUnsubscribeToken(link![1]!, settings.unsubscribeSecret)).toEqual({
      ok: true,
      claims: { channel: 'email', address: 'Jane@example.org', messageId: email.messageId, campaignId: email.campaignId },
    });
  });
});

describe('mailbox', () => {
  it('quotes a display name and escapes its quotes and backslashes', () => {
    expect(mailbox('a@example.com')).toBe('a@example.com');
    expect(mailbox('a@example.com', 'Shop "Best" \\ Co')).toBe('"Shop \\"Best\\" \\\\ Co" <a@example.com>');
    expect(mailbox('a@example.com', 'Two\r\nLines')).toBe('"Two Lines" <a@example.com>');
  });
});

describe('domainName', () => {
  it('lower-cases a domain name and refuses what is not one, naming the field', () => {
    expect(domainName('Mail.Example.COM')).toBe('mail.example.com');
    for (const bad of ['news@mail.example.com', 'localhost', 'bad_label.example.com', '']) {
      expect(() => domainName(bad)).toThrow(DomainError);
    }
    expect(() => domainName('x', 'domainId')).toThrow(/domainId is not a domain name/);
  });
});
