// Why a saved campaign cannot run: each producer below looks at the campaign and what it refers
// to, and names the problems it finds as Genesys `RestErrorDetail`s. A campaign with any error is
// `invalid` and cannot be turned on. To add a check, add a producer (and, if it needs to look
// something up, a field of ValidityContext filled in by MessagingCampaignsService.validityContext).
import type { StoredEmailConfig, StoredSmsConfig } from './messaging-campaign.entity';
import type { ContactListView, SendingDomainView, TemplateView } from './references.client';

/** Genesys `RestErrorDetail`: `error` is a stable code, `details` says what is wrong for people. */
export interface CampaignError {
  error: string;
  details: string;
}

/** What the producers look at: the campaign as it will be saved and the references it names. */
export interface ValidityContext {
  contactList: ContactListView;
  sms: StoredSmsConfig | null;
  /** The SMS template, when the campaign names one (it exists: a missing one is refused on save). */
  template?: TemplateView;
  /** Whether sms-gateway has the sender number provisioned. */
  senderProvisioned?: boolean;
  email?: StoredEmailConfig | null;
  /** The email campaign's sending domain as the email-gateway knows it (null: not provisioned). */
  sendingDomain?: SendingDomainView | null;
}

export type ErrorProducer = (ctx: ValidityContext) => CampaignError[];

const phoneColumn: ErrorProducer = ({ sms, contactList }) =>
  sms && !contactList.columnNames.includes(sms.phoneColumn)
    ? [{ error: 'campaign.phone.column.unknown', details: `smsConfig.phoneColumn "${sms.phoneColumn}" is not a column of contact list ${contactList.id}` }]
    : [];

const messageColumn: ErrorProducer = ({ sms, contactList }) =>
  sms?.messageColumn && !contactList.columnNames.includes(sms.messageColumn)
    ? [{ error: 'campaign.message.column.unknown', details: `smsConfig.messageColumn "${sms.messageColumn}" is not a column of contact list ${contactList.id}` }]
    : [];

/** Every `{{name}}` of the template must come from a column of the list or the substitution's default. */
const templateColumns: ErrorProducer = ({ template, contactList }) => {
  if (!template) return [];
  const defaults = new Set((template.substitutions ?? []).filter((s) => s.defaultValue !== undefined && s.defaultValue !== null).map((s) => s.id));
  return (template.variables ?? [])
    .filter((v) => !contactList.columnNames.includes(v) && !defaults.has(v))
    .map((v) => ({
      error: 'campaign.template.column.missing',
      details: `template ${template.id} uses {{${v}}}, which is not a column of contact list ${contactList.id} and has no default value`,
    }));
};

const senderNumber: ErrorProducer = ({ sms, senderProvisioned }) =>
  sms && senderProvisioned === false
    ? [{ error: 'campaign.sender.unknown', details: `smsConfig.senderSmsPhoneNumber ${sms.senderSmsPhoneNumber} is not a provisioned SMS number (POST /api/v2/routing/sms/phonenumbers)` }]
    : [];

/** An email campaign's from address must be on a sending domain the email-gateway has provisioned and verified. */
const sendingDomain: ErrorProducer = ({ email, sendingDomain: domain }) => {
  if (!email || domain === undefined) return [];
  const from = `${email.fromLocalPart}@${email.fromDomain}`;
  if (domain === null) {
    return [{ error: 'campaign.email.domain.not.provisioned', details: `the from address ${from} is not on a provisioned sending domain: ${email.fromDomain} is not an outbound domain` }];
  }
  if (!domain.verifiedForSending) {
    return [{ error: 'campaign.email.domain.unverified', details: `the from address ${from} is not on a verified sending domain: ${email.fromDomain} is not verified (DKIM ${domain.dkimVerificationResult?.status ?? 'unknown'})` }];
  }
  return [];
};

export const ERROR_PRODUCERS: ErrorProducer[] = [phoneColumn, messageColumn, templateColumns, senderNumber, sendingDomain];

/** Every reason the campaign cannot run (empty: it is valid). */
export function campaignErrors(ctx: ValidityContext, producers: ErrorProducer[] = ERROR_PRODUCERS): CampaignError[] {
  return producers.flatMap((p) => p(ctx));
}
