// End-to-end throughput of an email campaign with no rate limit (BENCH_CONTACTS contacts, default
// 100,000), beside an SMS campaign of the same size on the same stack and the bare-Kafka relay
// ceiling, in one run. Each campaign is timed from `campaignStatus: on` to `complete` (contact
// upload excluded); the email one also at the SES emulator: the emails it stored for the
// campaign, over the time from the first to the last (its clock has whole seconds), checked:
// nobody twice, nobody else, and every contact but those whose send ended `unknown` (a timeout,
// never retried: at most once) has one.
//
//   BENCH_CASES=email node dist/bench/run.js
import { checkOneEmailEach, prepareEmailCampaign, receivedBySesEmulator } from '../tools/demo/email-campaign';
import { heraldClient } from '../tools/demo/herald-client';
import { prepareSmsCampaign } from '../tools/demo/sms-campaign';
import { startIsolatedStack } from '../tools/stack/isolated-stack';
import { urlOf } from '../tools/stack/services';
import { NO_RATE_LIMIT, runToCompletion } from './campaign-run';
import { round, runRelay } from './relay';
import { ContactRow, uploadContacts } from './upload';

const log = (s: string) => process.stderr.write(`${s}\n`);

const smsContact = (i: number): ContactRow => ({
  id: `c${String(i).padStart(7, '0')}`,
  data: { customerId: String(100_000 + i), firstName: 'Ada', phone: `+1202555${String(i % 10_000).padStart(4, '0')}`, appointment: '9:00' },
});

const emailAddress = (i: number) => `customer${i}@example.org`;
const emailContact = (i: number): ContactRow => ({
  id: `e${String(i).padStart(7, '0')}`,
  data: { customerId: String(200_000 + i), firstName: 'Grace', email: emailAddress(i), orderId: `A-${100_000 + i}`, deliveryDate: `${(i % 28) + 1} March` },
});

/** A finished campaign's terminal outcomes (`unknown`: sends that timed out, never retried). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const outcomesOf = (p: any) => ({ messaged: p.numberOfContactsMessaged, unknown: p.numberOfContactsUnknown, rejected: p.numberOfContactsRejected, failed: p.numberOfContactsFailed, skipped: p.numberOfContactsSkipped });

/** Reports each figure as soon as it is measured (`report`), so that a later failure keeps the earlier ones. */
export async function runEmailBench(brokers: string[], contacts: number, report: (figures: object) => void): Promise<void> {
  log(`email: bare relay of ${contacts} messages`);
  const relay = await runRelay(brokers, contacts);
  report(relay);
  const stack = await startIsolatedStack({ name: 'bench', brokers, portBase: 28680 });
  try {
    const edge = urlOf(stack.settings, 'edge');
    const api = await heraldClient(edge, stack.settings.bootstrapClient);

    log(`email: uploading ${contacts} contacts for the SMS campaign`);
    const sms = await prepareSmsCampaign(api, { contacts: 0, messagesPerMinute: NO_RATE_LIMIT, name: `bench sms ${stack.id}` });
    await uploadContacts(edge, api.accessToken, sms.contactListId, contacts, smsContact);
    log('email: SMS campaign on');
    const smsRun = await runToCompletion(edge, api.accessToken, sms.campaignId);
    const smsFigures = { case: 'sms-campaign-end-to-end', contacts, seconds: round(smsRun.seconds), contactsPerSecond: Math.round(contacts / smsRun.seconds), ...outcomesOf(smsRun.progress) };
    report(smsFigures);

    log(`email: uploading ${contacts} contacts for the email campaign`);
    const email = await prepareEmailCampaign(api, { contacts: 0, messagesPerMinute: NO_RATE_LIMIT, domain: `bench-${stack.id}.herald.example`, name: `bench email ${stack.id}` });
    await uploadContacts(edge, api.accessToken, email.contactListId, contacts, emailContact);
    log('email: email campaign on');
    const emailRun = await runToCompletion(edge, api.accessToken, email.campaignId);

    const received = (await receivedBySesEmulator(urlOf(stack.settings, 'ses-emulator'))).filter((e) => e.from.includes(`<${email.fromAddress}>`));
    // Nobody twice, nobody else; a contact whose send ended `unknown` (a timeout) may or may not have its email.
    const unknown = emailRun.progress.numberOfContactsUnknown as number;
    const problems = checkOneEmailEach(received, email.fromAddress, Array.from({ length: contacts }, (_, i) => emailAddress(i))).filter((p) => !p.includes('received nothing'));
    const missing = contacts - new Set(received.flatMap((e) => e.destination.to)).size;
    if (missing > unknown) problems.push(`${missing} contacts received nothing, more than the ${unknown} sends whose outcome is unknown`);
    if (problems.length) throw new Error(`the SES emulator did not receive one email per contact: ${problems.join('; ')}`);
    const first = received.reduce((m, e) => Math.min(m, e.at), Infinity);
    const last = received.reduce((m, e) => Math.max(m, e.at), -Infinity);
    const sesSeconds = last - first;

    const emailFigures = {
      case: 'email-campaign-end-to-end',
      contacts,
      seconds: round(emailRun.seconds),
      contactsPerSecond: Math.round(contacts / emailRun.seconds),
      ...outcomesOf(emailRun.progress),
      ses: {
        emails: received.length,
        secondsFirstToLast: sesSeconds,
        emailsPerSecond: Math.round(received.length / Math.max(1, sesSeconds)),
        secondsFromOnToLast: last - Math.floor(emailRun.startedAt / 1000),
      },
    };
    report(emailFigures);
    report({ case: 'ratio', emailOverRelay: round(emailFigures.contactsPerSecond / relay.messagesPerSecond), emailOverSms: round(emailFigures.contactsPerSecond / smsFigures.contactsPerSecond) });
  } finally {
    await stack.close();
  }
}
