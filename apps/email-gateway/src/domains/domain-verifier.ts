import {
  CreateEmailIdentityCommand,
  DeleteEmailIdentityCommand,
  DkimAttributes,
  GetEmailIdentityCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { DomainError } from '@herald/service';

/** Genesys `Record`: a DNS record to publish. */
export interface DnsRecord {
  name: string;
  type: string;
  value: string;
}

/** What the provider says of a sending domain. `dkimStatus`: VERIFIED, PENDING, FAILED, TEMPORARY_FAILURE. */
export interface DomainIdentity {
  verified: boolean;
  dkimStatus: string;
  dkimRecords: DnsRecord[];
}

export const DOMAIN_VERIFIER = Symbol('DOMAIN_VERIFIER');

/** Provisions sending domains with the provider and reports their verification. */
export interface DomainVerifier {
  readonly checksProvider: boolean;
  create(domain: string): Promise<DomainIdentity>;
  check(domain: string): Promise<DomainIdentity>;
  remove(domain: string): Promise<void>;
}

/** For the local SES emulator, which has no identities API: a domain is verified at once. */
export class LocalDomainVerifier implements DomainVerifier {
  readonly checksProvider = false;
  async create(): Promise<DomainIdentity> {
    return { verified: true, dkimStatus: 'VERIFIED', dkimRecords: [] };
  }
  check(): Promise<DomainIdentity> {
    return this.create();
  }
  async remove(): Promise<void> {}
}

const DKIM_STATUS: Record<string, string> = { SUCCESS: 'VERIFIED', PENDING: 'PENDING', NOT_STARTED: 'PENDING', FAILED: 'FAILED', TEMPORARY_FAILURE: 'TEMPORARY_FAILURE' };

function identityOf(domain: string, verified: boolean | undefined, dkim: DkimAttributes | undefined): DomainIdentity {
  return {
    verified: verified === true,
    dkimStatus: DKIM_STATUS[dkim?.Status ?? 'NOT_STARTED'] ?? 'PENDING',
    // Easy DKIM: three CNAMEs to publish in the domain's DNS.
    dkimRecords: (dkim?.Tokens ?? []).map((t) => ({ name: `${t}._domainkey.${domain}`, type: 'CNAME', value: `${t}.dkim.amazonses.com` })),
  };
}

function providerError(e: unknown): DomainError {
  return new DomainError('email.provider.error', `SES refused the request: ${(e as Error).name}: ${(e as Error).message}`, 502);
}

/** Amazon SES email identities: `CreateEmailIdentity`, `GetEmailIdentity`, `DeleteEmailIdentity`. */
export class SesDomainVerifier implements DomainVerifier {
  readonly checksProvider = true;
  constructor(private readonly client: SESv2Client) {}

  async create(domain: string): Promise<DomainIdentity> {
    try {
      const out = await this.client.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
      return identityOf(domain, out.VerifiedForSendingStatus, out.DkimAttributes);
    } catch (e) {
      // Created earlier (by Herald or by hand): adopt it.
      if ((e as Error).name === 'AlreadyExistsException') return this.check(domain);
      throw providerError(e);
    }
  }

  async check(domain: string): Promise<DomainIdentity> {
    try {
      const out = await this.client.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
      return identityOf(domain, out.VerifiedForSendingStatus, out.DkimAttributes);
    } catch (e) {
      if ((e as Error).name === 'NotFoundException') return { verified: false, dkimStatus: 'FAILED', dkimRecords: [] };
      throw providerError(e);
    }
  }

  async remove(domain: string): Promise<void> {
    try {
      await this.client.send(new DeleteEmailIdentityCommand({ EmailIdentity: domain }));
    } catch (e) {
      if ((e as Error).name !== 'NotFoundException') throw providerError(e);
    }
  }
}
