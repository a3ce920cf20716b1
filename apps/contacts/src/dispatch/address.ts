import { isE164, SmsDispatchConfig } from '@herald/contracts';

export type AddressCheck = { ok: true; address: string } | { ok: false; detail: string };

/**
 * The address a campaign messages a contact at, or why it has none (the contact is then skipped
 * as `invalid-address`). One decision for the dispatcher and the pre-launch preview.
 */
export function campaignAddressOf(config: { sms?: SmsDispatchConfig }, data: Record<string, string>): AddressCheck {
  const sms = config.sms;
  const address = sms ? data[sms.phoneColumn] : undefined;
  if (!sms || !address || !isE164(address)) return { ok: false, detail: `no valid phone number in column "${sms?.phoneColumn}"` };
  return { ok: true, address };
}
