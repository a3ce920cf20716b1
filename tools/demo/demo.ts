// npm run demo: brings Herald up, runs a real SMS campaign over 10,000 contacts through every
// service, shows its progress, prints a summary, and stops what it started.
import { SingleBar, Presets } from 'cli-progress';
import { ensureKafka, kafkaStatus, stopKafka } from '../infra/kafka';
import { ensureDatabase } from '../infra/postgres';
import { ensureTopics } from '../infra/topics';
import { Supervisor } from '../stack/supervisor';
import { StackSettings, urlOf } from '../stack/services';
import { heraldClient } from './herald-client';
import { awaitCompletion, prepareSmsCampaign, setCampaignStatus } from './sms-campaign';

const CONTACTS = Number(process.env['DEMO_CONTACTS'] ?? 10_000);
const RATE = Number(process.env['DEMO_MESSAGES_PER_MINUTE'] ?? 60_000);
const say = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  say('Herald demo: one SMS campaign, end to end.\n');
  const wasRunning = (await kafkaStatus()).running;
  const broker = await ensureKafka({ log: (l) => say(`  ${l}`) });
  const settings: StackSettings = {
    portBase: Number(process.env['DEMO_PORT_BASE'] ?? 8180),
    databaseUrl: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/herald',
    brokers: broker.brokers,
    topicPrefix: process.env['KAFKA_TOPIC_PREFIX'] ?? '',
    logLevel: 'info',
  };
  const supervisor = new Supervisor(settings);
  let exitCode = 1;
  try {
    await ensureTopics({ brokers: settings.brokers, prefix: settings.topicPrefix });
    await ensureDatabase(settings.databaseUrl);
    say('  starting 10 processes: edge, contacts, campaigns, dnc, templates, sms-gateway, email-gateway, reporting, triggers, sms-simulator …');
    await supervisor.startAll();
    say(`  all services ready (${((Date.now() - started) / 1000).toFixed(1)} s); public API at ${urlOf(settings, 'edge')}\n`);

    const api = heraldClient(urlOf(settings, 'edge'));
    const upload = new SingleBar({ format: '  uploading contacts  [{bar}] {value}/{total}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 }, Presets.shades_classic);
    upload.start(CONTACTS, 0);
    const handle = await prepareSmsCampaign(
      api,
      { contacts: CONTACTS, messagesPerMinute: RATE, invalidShare: 0.01, name: `Appointment reminders ${new Date().toISOString()}` },
      (n) => upload.update(n),
    );
    upload.stop();
    say(`  contact list ${handle.contactListId}, template ${handle.templateId}, campaign ${handle.campaignId} (${RATE.toLocaleString('en')} messages/min)`);
    await setCampaignStatus(api, handle.campaignId, 'on');
    const bar = new SingleBar({ format: '  campaign            [{bar}] {percentage}% | messaged {messaged} | skipped {skipped} | {eta_formatted} left', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2_000 }, Presets.shades_classic);
    bar.start(CONTACTS, 0, { messaged: 0, skipped: 0 });
    const sendStart = Date.now();
    const outcome = await awaitCompletion(api, handle.campaignId, {
      timeoutMs: Math.max(120_000, (CONTACTS / RATE) * 60_000 * 3),
      intervalMs: 250,
      onProgress: (p) => {
        const skipped = Object.values(p.numberOfContactsSkipped ?? {}).reduce((a, b) => a + b, 0);
        const done = (p.numberOfContactsMessaged ?? 0) + skipped + Number(p['numberOfContactsFailed'] ?? 0) + Number(p['numberOfContactsRejected'] ?? 0) + Number(p['numberOfContactsUnknown'] ?? 0);
        bar.update(done, { messaged: p.numberOfContactsMessaged ?? 0, skipped });
      },
    });
    bar.stop();
    const p = outcome.progress;
    const skipped = p.numberOfContactsSkipped ?? {};
    const terminal =
      (p.numberOfContactsMessaged ?? 0) +
      Object.values(skipped).reduce((a, b) => a + b, 0) +
      Number(p['numberOfContactsFailed'] ?? 0) +
      Number(p['numberOfContactsRejected'] ?? 0) +
      Number(p['numberOfContactsUnknown'] ?? 0);
    const seconds = (Date.now() - sendStart) / 1000;
    say('');
    say(`  Summary — campaign ${outcome.status} in ${seconds.toFixed(1)} s`);
    say(`    contacts        ${p.totalNumberOfContacts}`);
    say(`    messaged        ${p.numberOfContactsMessaged}`);
    say(`    skipped         ${Object.entries(skipped).map(([k, v]) => `${v} (${k})`).join(', ') || 0}`);
    say(`    rejected        ${p['numberOfContactsRejected'] ?? 0}`);
    say(`    failed          ${p['numberOfContactsFailed'] ?? 0}`);
    say(`    unknown         ${p['numberOfContactsUnknown'] ?? 0}`);
    say('');
    say('  Where to look next:');
    say(`    service logs      .herald/logs/<service>.log (JSON, one line per event)`);
    say(`    what the SMS aggregator received   .herald/sms-simulator/accepted.jsonl`);
    say(`    delivery results  Kafka topic herald.delivery.result.v1 on ${settings.brokers.join(',')} (docs/events/)`);
    say(`    keep it running   npm run up   (then the API is at http://127.0.0.1:8080; npm run down stops it)`);
    exitCode = outcome.status === 'complete' && terminal === p.totalNumberOfContacts && p.totalNumberOfContacts === CONTACTS ? 0 : 1;
    if (exitCode !== 0) say(`\n  NOT every contact reached a terminal result (${terminal} of ${p.totalNumberOfContacts}, status ${outcome.status}).`);
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
