import { normalizeEmailAddress } from '@herald/channels';
import { ContactDispatchedV1, isE164 } from '@herald/contracts';
import { DispatchRunEntity } from './dispatch-run.entity';

/** The campaign's channel settings as the dispatcher keeps them (`dispatch_run.config`). */
type ChannelConfig = Pick<DispatchRunEntity['config'], 'sms' | 'email'>;

type Addressing = Pick<ContactDispatchedV1, 'address' | 'senderAddress' | 'senderName' | 'replyTo' | 'templateId' | 'messageColumn'>;

/**
 * Whom a contact is messaged at and by whom, from the campaign's channel configuration: SMS to the
 * E.164 number in the phone column; email to the first non-empty of the email columns, normalised.
 * Without one the contact is skipped as `invalid-address`. One decision for the dispatcher and the
 * pre-launch preview.
 */
export function messageOf(run: { config: ChannelConfig }, data: Record<string, string>): Addressing | { invalid: string } {
  const { sms, email } = run.config;
  if (email) {
    const raw = email.emailColumns.map((c) => data[c]).find((v) => v !== undefined && v.trim() !== '');
    if (raw === undefined) return { invalid: `no email address in columns ${email.emailColumns.map((c) => `"${c}"`).join(', ')}` };
    const address = normalizeEmailAddress(raw);
    // The reason, without the quoted piece of the address some reasons carry (results never hold an address).
    if (!address.ok) return { invalid: `invalid email address: ${address.reason.replace(/ "[^"]*"/g, '')}` };
    return { address: address.address, senderAddress: email.fromAddress, senderName: email.fromName, replyTo: email.replyTo, templateId: email.contentTemplateId };
  }
  const address = sms ? data[sms.phoneColumn] : undefined;
  if (!sms || !address || !isE164(address)) return { invalid: `no valid phone number in column "${sms?.phoneColumn}"` };
  return { address, senderAddress: sms.senderSmsPhoneNumber, templateId: sms.contentTemplateId, messageColumn: sms.messageColumn };
}
