import type { Models } from 'purecloud-platform-client-v2';
import { HeraldClient } from './herald-client';

export const SENDER = '+15555550100';

export interface CampaignSetup {
  contacts: number;
  messagesPerMinute: number;
  name?: string;
  /** Share of contacts (0..1) written with an invalid phone number: they must end `skipped`. */
  invalidShare?: number;
  /** The sender number (default SENDER); provisioned if it is not yet. One running campaign per sender. */
  sender?: string;
}

export interface CampaignHandle {
  campaignId: string;
  contactListId: string;
  templateId: string;
  /** Contact ids with an invalid number (skipped by design). */
  invalidContacts: number;
}

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];

/** Provisions an SMS sender number unless it already is (GET …/phonenumbers?phoneNumber=, then POST). */
export async function provisionSender(api: HeraldClient, phoneNumber: string): Promise<void> {
  const found = await api.routing.getRoutingSmsPhonenumbers({ phoneNumber });
  if (found.entities?.some((n) => n.phoneNumber === phoneNumber)) return;
  await api.routing.postRoutingSmsPhonenumbers({ phoneNumber, phoneNumberType: 'local', countryCode: 'US', name: `Herald sender ${phoneNumber}` }).catch((e: { status?: number }) => {
    if (e.status !== 409) throw e; // provisioned meanwhile
  });
}

/** Creates a contact list of `contacts` rows (1,000 per request, as the API allows), a template and an SMS campaign. */
export async function prepareSmsCampaign(api: HeraldClient, setup: CampaignSetup, onProgress?: (added: number) => void): Promise<CampaignHandle> {
  const name = setup.name ?? `Herald demo ${new Date().toISOString()}`;
  const list = await api.outbound.postOutboundContactlists({
    name: `${name} list`,
    columnNames: ['customerId', 'firstName', 'phone', 'appointment'],
    phoneColumns: [{ columnName: 'phone', type: 'cell' }],
  });
  const invalidEvery = setup.invalidShare ? Math.round(1 / setup.invalidShare) : 0;
  let invalid = 0;
  const chunks: Models.WritableDialerContact[][] = [];
  for (let start = 0; start < setup.contacts; start += 1_000) {
    const chunk: Models.WritableDialerContact[] = [];
    for (let i = start; i < Math.min(start + 1_000, setup.contacts); i++) {
      const bad = invalidEvery > 0 && i % invalidEvery === invalidEvery - 1;
      if (bad) invalid++;
      chunk.push({
        id: `c${String(i).padStart(7, '0')}`,
        contactListId: list.id!,
        data: {
          customerId: String(100_000 + i),
          firstName: FIRST_NAMES[i % FIRST_NAMES.length]!,
          // An empty number is accepted on the list and skipped as an invalid address by the campaign.
          phone: bad ? '' : `+1202555${String(i % 10_000).padStart(4, '0')}`,
          appointment: `${(i % 12) + 8}:00`,
        },
      });
    }
    chunks.push(chunk);
  }
  let added = 0;
  const workers = Array.from({ length: 4 }, async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      await api.outbound.postOutboundContactlistContacts(list.id!, chunk);
      added += chunk.length;
      onProgress?.(added);
    }
  });
  await Promise.all(workers);
  const template = await api.responses.postResponsemanagementResponses({
    name: `${name} reminder`,
    libraries: [{ id: 'appointments' }],
    responseType: 'CampaignSmsTemplate',
    texts: [{ content: 'Hi {{firstName}}, your appointment is tomorrow at {{appointment}}. Reply STOP to opt out.', contentType: 'text/plain' }],
    substitutions: [{ id: 'firstName', defaultValue: 'there' }, { id: 'appointment' }],
  });
  const sender = setup.sender ?? SENDER;
  await provisionSender(api, sender);
  const campaign = await api.outbound.postOutboundMessagingcampaigns({
    name,
    contactList: { id: list.id },
    messagesPerMinute: setup.messagesPerMinute,
    smsConfig: {
      phoneColumn: 'phone',
      messageColumn: '',
      senderSmsPhoneNumber: { phoneNumber: sender },
      contentTemplate: { id: template.id },
    } as Models.SmsConfig,
  });
  return { campaignId: campaign.id!, contactListId: list.id!, templateId: template.id!, invalidContacts: invalid };
}

export async function setCampaignStatus(api: HeraldClient, campaignId: string, status: 'on' | 'off'): Promise<Models.MessagingCampaign> {
  const current = await api.outbound.getOutboundMessagingcampaign(campaignId);
  return api.outbound.putOutboundMessagingcampaign(campaignId, { ...current, campaignStatus: status });
}

export interface CampaignOutcome {
  status: string;
  progress: Models.CampaignProgress & Record<string, unknown>;
}

/** Polls progress until the campaign is complete (or the deadline passes). */
export async function awaitCompletion(
  api: HeraldClient,
  campaignId: string,
  options: { timeoutMs: number; onProgress?: (p: Models.CampaignProgress & Record<string, unknown>) => void; intervalMs?: number },
): Promise<CampaignOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const [campaign, progress] = await Promise.all([
      api.outbound.getOutboundMessagingcampaign(campaignId),
      api.outbound.getOutboundMessagingcampaignProgress(campaignId) as Promise<Models.CampaignProgress & Record<string, unknown>>,
    ]);
    options.onProgress?.(progress);
    if (campaign.campaignStatus === 'complete') return { status: 'complete', progress };
    if (Date.now() > deadline) return { status: campaign.campaignStatus ?? 'unknown', progress };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
