import { EmailDispatchConfig } from '@herald/contracts';
import { StoredEmailConfig } from './messaging-campaign.entity';
import { ReferencesClient } from './references.client';

export interface CampaignError {
  code: string;
  message: string;
}

/** The from address of an email campaign, `localPart@domain`. */
export function fromAddressOf(c: StoredEmailConfig): string {
  return `${c.fromLocalPart}@${c.fromDomain}`;
}

/** What contacts needs of an email campaign to address its messages (carried by the lifecycle event). */
export function emailDispatchConfigOf(c: StoredEmailConfig): EmailDispatchConfig {
  return {
    emailColumns: c.emailColumns,
    contentTemplateId: c.contentTemplateId,
    fromAddress: fromAddressOf(c),
    fromName: c.fromName,
    replyTo: c.replyToLocalPart && c.replyToDomain ? `${c.replyToLocalPart}@${c.replyToDomain}` : undefined,
  };
}

/**
 * Why an email campaign cannot send now, as `errors` entries of the campaign (which make it
 * `invalid`): its from address must be on a sending domain that the email-gateway has provisioned
 * and verified. Empty for an SMS campaign.
 */
export async function emailSendingErrors(email: StoredEmailConfig | null, references: ReferencesClient): Promise<CampaignError[]> {
  if (!email) return [];
  const domain = await references.sendingDomain(email.fromDomain);
  if (!domain) {
    return [{ code: 'campaign.email.domain.not.provisioned', message: `the from address ${fromAddressOf(email)} is not on a provisioned sending domain: ${email.fromDomain} is not an outbound domain` }];
  }
  if (!domain.verifiedForSending) {
    return [{ code: 'campaign.email.domain.unverified', message: `the from address ${fromAddressOf(email)} is not on a verified sending domain: ${email.fromDomain} is not verified (DKIM ${domain.dkimVerificationResult?.status ?? 'unknown'})` }];
  }
  return [];
}
