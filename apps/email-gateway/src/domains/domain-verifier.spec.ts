import { CreateEmailIdentityCommand, DeleteEmailIdentityCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { DomainError } from '@herald/service';
import { LocalDomainVerifier, SesDomainVerifier } from './domain-verifier';

/** A stand-in for the SES client: answers each command type from a table (errors are thrown). */
function ses(answers: Record<string, unknown>): { client: SESv2Client; sent: string[] } {
  const sent: string[] = [];
  const client = {
    send: async (command: object) => {
      const name = command.constructor.name;
      sent.push(name);
      const answer = answers[name];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as SESv2Client;
  return { client, sent };
}

function awsError(name: string): Error {
  return Object.assign(new Error(`${name} from SES`), { name });
}

describe('SesDomainVerifier', () => {
  it('creates an SES identity and reports Easy DKIM as Genesys records, pending until SES verifies it', async () => {
    const { client, sent } = ses({ [CreateEmailIdentityCommand.name]: { VerifiedForSendingStatus: false, DkimAttributes: { Status: 'PENDING', Tokens: ['t1', 't2', 't3'] } } });
    const identity = await new SesDomainVerifier(client).create('mail.example.com');
    expect(sent).toEqual(['CreateEmailIdentityCommand']);
    expect(identity).toEqual({
      verified: false,
      dkimStatus: 'PENDING',
      dkimRecords: ['t1', 't2', 't3'].map((t) => ({ name: `${t}._domainkey.mail.example.com`, type: 'CNAME', value: `${t}.dkim.amazonses.com` })),
    });
  });

  it('adopts an identity that already exists, and reports it verified once SES does', async () => {
    const { client, sent } = ses({
      [CreateEmailIdentityCommand.name]: awsError('AlreadyExistsException'),
      [GetEmailIdentityCommand.name]: { VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS', Tokens: ['t1'] } },
    });
    const identity = await new SesDomainVerifier(client).create('mail.example.com');
    expect(sent).toEqual(['CreateEmailIdentityCommand', 'GetEmailIdentityCommand']);
    expect(identity).toMatchObject({ verified: true, dkimStatus: 'VERIFIED' });
  });

  it('reports an identity deleted behind its back as failed, and SES refusals as a 502', async () => {
    const gone = ses({ [GetEmailIdentityCommand.name]: awsError('NotFoundException') });
    expect(await new SesDomainVerifier(gone.client).check('mail.example.com')).toEqual({ verified: false, dkimStatus: 'FAILED', dkimRecords: [] });
    const refused = ses({ [CreateEmailIdentityCommand.name]: awsError('AccessDeniedException') });
    await expect(new SesDomainVerifier(refused.client).create('mail.example.com')).rejects.toMatchObject({ code: 'email.provider.error', status: 502 });
    await expect(new SesDomainVerifier(refused.client).create('mail.example.com')).rejects.toBeInstanceOf(DomainError);
  });

  it('deletes the identity, ignoring one that is already gone', async () => {
    const { client, sent } = ses({ [DeleteEmailIdentityCommand.name]: awsError('NotFoundException') });
    await new SesDomainVerifier(client).remove('mail.example.com');
    expect(sent).toEqual(['DeleteEmailIdentityCommand']);
  });
});

describe('LocalDomainVerifier', () => {
  it('verifies a domain at once (the SES emulator has no identities API)', async () => {
    expect(await new LocalDomainVerifier().create()).toEqual({ verified: true, dkimStatus: 'VERIFIED', dkimRecords: [] });
  });
});
