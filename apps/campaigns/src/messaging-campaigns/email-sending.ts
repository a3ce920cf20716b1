import { EmailDispatchConfig } from '@herald/contracts';
import { StoredEmailConfig } from './messaging-campaign.entity';

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
