// npm run demo: brings Herald up, runs a real SMS campaign over 10,000 contacts and an email
// campaign over 3,000 through every service, shows their progress, prints a summary of each,
// checks what the SES emulator received, and stops what it started.
import { SingleBar, Presets } from 'cli-progress';
import { ensureKafka, kafkaStatus, stopKafka } from '../infra/kafka';
import { ensureDatabase } from '../infra/postgres';
import { ensureTopics } from '../infra/topics';
import { Supervisor } from '../stack/supervisor';
import { localBootstrapClient, StackSettings, urlOf } from '../stack/services';
import { checkOneEmailEach, prepareEmailCampaign, receivedBySesEmulator } from './email-campaign';
import { heraldClient } from './herald-client';
import { runCampaign } from './run-campaign';
import { prepareSmsCampaign } from './sms-campaign';

const CONTACTS = Number(process.env['DEMO_CONTACTS'] ?? 10_000);
const EMAIL_CONTACTS = Number(process.env['DEMO_EMAIL_CONTACTS'] ?? 3_000);
const RATE = Number(process.env['DEMO_MESSAGES_PER_MINUTE'] ?? 60_000);
const say = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  say('Herald demo: an SMS campaign and an email campaign, end to end.\n');
  const wasRunning = (await kafkaStatus()).running;
  const broker = await ensureKafka({ log: (l) => say(`  ${l}`) });
  const settings: StackSettings = {
    portBase: Number(process.env['DEMO_PORT_BASE'] ?? 8180),
    databaseUrl: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/herald',
    brokers: broker.brokers,
    topicPrefix: process.env['KAFKA_TOPIC_PREFIX'] ?? '',
    logLevel: 'info',
    bootstrapClient: localBootstrapClient(),
    providerEvents: true,
  };
  const supervisor = new Supervisor(settings);
  let exitCode = 1;
  try {
    await ensureTopics({ brokers: settings.brokers, prefix: settings.topicPrefix });
    await ensureDatabase(settings.databaseUrl);
    say('  starting 11 processes: edge, contacts, campaigns, dnc, templates, sms-gateway, email-gateway, reporting, triggers, sms-simulator, ses-emulator …');
    await supervisor.startAll();
    say(`  all services ready (${((Date.now() - started) / 1000).toFixed(1)} s); public API at ${urlOf(settings, 'edge')}\n`);

    const api = await heraldClient(urlOf(settings, 'edge'), settings.bootstrapClient);
    const upload = new SingleBar({ format: '  uploading contacts  [{bar}] {value}/{total}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 }, Presets.shades_classic);
    upload.start(CONTACTS, 0);
    const handle = await prepareSmsCampaign(
      api,
      { contacts: CONTACTS, messagesPerMinute: RATE, invalidShare: 0.01, name: `Appointment reminders ${new Date().toISOString()}` },
      (n) => upload.update(n),
    );
    upload.stop();
    say(`  contact list ${handle.contactListId}, template ${handle.templateId}, campaign ${handle.campaignId} (${RATE.toLocaleString('en')} messages/min)`);
    const sms = await runCampaign(api, handle.campaignId, CONTACTS, RATE, say);
    say('');

    // The same pipeline for email: a sending domain, an email template, the SES emulator as provider.
    const emailUpload = new SingleBar({ format: '  uploading contacts  [{bar}] {value}/{total}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 }, Presets.shades_classic);
    emailUpload.start(EMAIL_CONTACTS, 0);
    const email = await prepareEmailCampaign(
      api,
      { contacts: EMAIL_CONTACTS, messagesPerMinute: RATE, invalidShare: 0.01, domain: `mail${Date.now()}.herald-demo.example`, name: `Order shipped ${new Date().toISOString()}` },
      (n) => emailUpload.update(n),
    );
    emailUpload.stop();
    say(`  email campaign ${email.campaignId} from ${email.fromAddress}, template ${email.templateId} (${RATE.toLocaleString('en')} messages/min)`);
    const mail = await runCampaign(api, email.campaignId, EMAIL_CONTACTS, RATE, say);
    const problems = checkOneEmailEach(await receivedBySesEmulator(urlOf(settings, 'ses-emulator')), email.fromAddress, email.expectedRecipients);
    say(problems.length ? `  SES emulator: ${problems.join('; ')}` : `  SES emulator: each of the ${email.expectedRecipients.length} messaged contacts received exactly one email`);
    exitCode = sms && mail && problems.length === 0 ? 0 : 1;
    say('');
    say('  Where to look next:');
    say(`    service logs      .herald/logs/<service>.log (JSON, one line per event)`);
    say(`    what the SMS aggregator received   .herald/sms-simulator/accepted.jsonl`);
    say(`    what SES received (emulator)       ${urlOf(settings, 'ses-emulator')}/store while the demo runs`);
    say(`    delivery results  Kafka topic herald.delivery.result.v1 on ${settings.brokers.join(',')} (docs/events/)`);
    say(`    keep it running   npm run up   (then the API is at http://127.0.0.1:8080; npm run down stops it)`);
  } catch (e) {
    say(`\n  demo failed: ${(e as { body?: unknown }).body ? JSON.stringify((e as { body: unknown }).body) : (e as Error).message ?? e}`);
  } finally {
    await supervisor.stopAll();
    if (!wasRunning) await stopKafka();
    say('\n  stopped what the demo started.');
  }
  return exitCode;
}

main().then((code) => process.exit(code));
