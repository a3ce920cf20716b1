import type { Models } from 'purecloud-platform-client-v2';
import { HeraldClient } from './herald-client';

export interface EmailCampaignSetup {
  contacts: number;
  messagesPerMinute: number;
  name?: string;
  /** The sending domain to provision (a fresh one per campaign keeps runs apart). */
  domain: string;
  /** Share of contacts (0..1) written without an email address: they must end `skipped`. */
  invalidShare?: number;
}

export interface EmailCampaignHandle {
  campaignId: string;
  contactListId: string;
  templateId: string;
  fromAddress: string;
  /** The addresses that must each receive exactly one email. */
  expectedRecipients: string[];
  invalidContacts: number;
}

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];

/** The email template of the demo: subject, HTML and text, filled from each contact's columns. */
export const DEMO_EMAIL_TEMPLATE: Models.Response = {
  name: 'Order shipped',
  libraries: [{ id: 'orders' }],
  responseType: 'CampaignEmailTemplate',
  texts: [
    { type: 'subject', contentType: 'text/plain', content: 'Your order {{orderId}} has shipped' },
    { type: 'body', contentType: 'text/html', content: '<p>Hi {{firstName}},</p><p>order <b>{{orderId}}</b> is on its way and arrives on {{deliveryDate}}.</p>' },
    { type: 'body', contentType: 'text/plain', content: 'Hi {{firstName}},\n\norder {{orderId}} is on its way and arrives on {{deliveryDate}}.' },
  ],
  substitutions: [{ id: 'firstName', defaultValue: 'there' }, { id: 'orderId' }, { id: 'deliveryDate' }],
} as Models.Response;

/**
 * Provisions a sending domain, then creates a contact list of `contacts` rows with an email
 * column, an email template and an email campaign sending from `orders@<domain>`.
 */
export async function prepareEmailCampaign(api: HeraldClient, setup: EmailCampaignSetup, onProgress?: (added: number) => void): Promise<EmailCampaignHandle> {
  const name = setup.name ?? `Herald email demo ${new Date().toISOString()}`;
  await api.routing.postRoutingEmailOutboundDomains({ id: setup.domain, name: setup.domain });
  const list = await api.outbound.postOutboundContactlists({
    name: `${name} list`,
    columnNames: ['customerId', 'firstName', 'email', 'orderId', 'deliveryDate'],
    emailColumns: [{ columnName: 'email', type: 'work' }],
  });
  const invalidEvery = setup.invalidShare ? Math.round(1 / setup.invalidShare) : 0;
  const expectedRecipients: string[] = [];
  let invalid = 0;
  const chunks: Models.WritableDialerContact[][] = [];
  for (let start = 0; start < setup.contacts; start += 1_000) {
    const chunk: Models.WritableDialerContact[] = [];
    for (let i = start; i < Math.min(start + 1_000, setup.contacts); i++) {
      const bad = invalidEvery > 0 && i % invalidEvery === invalidEvery - 1;
      const email = bad ? '' : `customer${i}@example.org`;
      if (bad) invalid++;
      else expectedRecipients.push(email);
      chunk.push({
        id: `e${String(i).padStart(7, '0')}`,
        contactListId: list.id!,
        data: { customerId: String(200_000 + i), firstName: FIRST_NAMES[i % FIRST_NAMES.length]!, email, orderId: `A-${100_000 + i}`, deliveryDate: `${(i % 28) + 1} March` },
      });
    }
    chunks.push(chunk);
  }
  let added = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
        await api.outbound.postOutboundContactlistContacts(list.id!, chunk);
        added += chunk.length;
        onProgress?.(added);
      }
    }),
  );
  const template = await api.responses.postResponsemanagementResponses({ ...DEMO_EMAIL_TEMPLATE, name: `${name} template` });
  const campaign = await api.outbound.postOutboundMessagingcampaigns({
    name,
    contactList: { id: list.id },
    messagesPerMinute: setup.messagesPerMinute,
    emailConfig: {
      emailColumns: ['email'],
      contentTemplate: { id: template.id },
      fromAddress: { domain: { id: setup.domain }, localPart: 'orders', friendlyName: 'Herald Shop' },
    },
  });
  return { campaignId: campaign.id!, contactListId: list.id!, templateId: template.id!, fromAddress: `orders@${setup.domain}`, expectedRecipients, invalidContacts: invalid };
}

/** One email as the SES emulator (aws-ses-v2-local) stored it. */
export interface ReceivedEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
  /** When the emulator received it (epoch seconds). */
  at: number;
}

/** Everything the SES emulator has received (`GET /store`). */
export async function receivedBySesEmulator(emulatorUrl: string): Promise<ReceivedEmail[]> {
  const res = await fetch(`${emulatorUrl}/store`);
  if (!res.ok) throw new Error(`the SES emulator's /store answered ${res.status}`);
  return ((await res.json()) as { emails: ReceivedEmail[] }).emails;
}

export function headerOf(email: ReceivedEmail, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/**
 * Checks that every expected recipient received exactly one email from `from` and nobody else
 * did; answers the problems found (none: an empty list).
 */
export function checkOneEmailEach(received: ReceivedEmail[], from: string, expected: string[]): string[] {
  const counts = new Map<string, number>();
  for (const e of received.filter((m) => m.from.includes(`<${from}>`) || m.from === from)) {
    for (const to of e.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  const problems: string[] = [];
  const missing = expected.filter((a) => !counts.has(a));
  const twice = [...counts].filter(([, n]) => n > 1);
  const want = new Set(expected);
  const unexpected = [...counts.keys()].filter((a) => !want.has(a));
  if (missing.length) problems.push(`${missing.length} expected recipients received nothing (e.g. ${missing[0]})`);
  if (twice.length) problems.push(`${twice.length} recipients received more than one email (e.g. ${twice[0]![0]}: ${twice[0]![1]})`);
  if (unexpected.length) problems.push(`${unexpected.length} unexpected recipients (e.g. ${unexpected[0]})`);
  return problems;
}
