// npm run bench: end-to-end campaign throughput and, in the same run, this machine's ceiling
// (a bare Kafka relay with the same number of hops). Each case prints one JSON object as its
// last line; the final line compares them. Figures belong in BENCHMARKS.md.
import { cpus, totalmem } from 'node:os';
import { ensureKafka } from '../tools/infra/kafka';
import { heraldClient } from '../tools/demo/herald-client';
import { prepareSmsCampaign } from '../tools/demo/sms-campaign';
import { startIsolatedStack } from '../tools/stack/isolated-stack';
import { urlOf } from '../tools/stack/services';
import { NO_RATE_LIMIT, runToCompletion } from './campaign-run';
import { runCsvImportBench } from './csv-import';
import { runEmailBench } from './email-campaign';
import { runDncLoad } from './dnc';
import { runFilterCase } from './filter';
import { runPacingBench } from './pacing';
import { round, runRelay } from './relay';
import { runTriggerBench } from './trigger';

const CONTACTS = Number(process.env['BENCH_CONTACTS'] ?? 100_000);
const log = (s: string) => process.stderr.write(`${s}\n`);

async function campaignCase(brokers: string[]) {
  const stack = await startIsolatedStack({ name: 'bench', brokers, portBase: 28080 });
  try {
    const api = await heraldClient(urlOf(stack.settings, 'edge'), stack.settings.bootstrapClient);
    log(`campaign: uploading ${CONTACTS} contacts`);
    // Highest rate the API allows: the pipeline, not the pacer, is the limit being measured.
    const handle = await prepareSmsCampaign(api, { contacts: CONTACTS, messagesPerMinute: NO_RATE_LIMIT, name: `bench ${stack.id}` });
    log('campaign: on');
    const { seconds, progress } = await runToCompletion(urlOf(stack.settings, 'edge'), api.accessToken, handle.campaignId);
    return { case: 'sms-campaign-end-to-end', contacts: CONTACTS, seconds: round(seconds), contactsPerSecond: Math.round(CONTACTS / seconds), messaged: progress.numberOfContactsMessaged };
  } finally {
    await stack.close();
  }
}

/**
 * BENCH_CASES picks cases (comma-separated): pipeline (relay + campaign), csv-import, dnc-load,
 * dnc-filter, trigger; not in the default set: pacing (~10 minutes) and email (relay + an SMS
 * and an email campaign of BENCH_CONTACTS each, ~10 minutes at 100,000).
 */
const CASES = new Set((process.env['BENCH_CASES'] ?? 'pipeline,csv-import,dnc-load,dnc-filter,trigger').split(',').map((c) => c.trim()));

async function main() {
  const broker = await ensureKafka();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  log(`machine: ${JSON.stringify(machine)}`);
  if (CASES.has('pipeline')) {
    const relay = await runRelay(broker.brokers, CONTACTS);
    console.log(JSON.stringify({ ...relay, machine }));
    const campaign = await campaignCase(broker.brokers);
    console.log(JSON.stringify({ ...campaign, machine }));
    console.log(JSON.stringify({ case: 'ratio', campaignOverRelay: round(campaign.contactsPerSecond / relay.messagesPerSecond) }));
  }
  if (CASES.has('csv-import')) {
    // Contact CSV import against `psql \copy` of the same file (the baseline), in the same run.
    for (const r of await runCsvImportBench({ brokers: broker.brokers, rows: Number(process.env['BENCH_IMPORT_ROWS'] ?? 1_000_000) })) {
      console.log(JSON.stringify({ ...r, machine }));
    }
  }
  if (CASES.has('dnc-load')) {
    const dnc = await runDncLoad(broker.brokers, Number(process.env['BENCH_DNC_ENTRIES'] ?? 1_000_000));
    console.log(JSON.stringify({ ...dnc, machine }));
  }
  if (CASES.has('dnc-filter')) {
    for (const r of await runFilterCase(broker.brokers)) console.log(JSON.stringify({ ...r, machine }));
  }
  if (CASES.has('trigger')) {
    for (const r of await runTriggerBench(broker.brokers)) console.log(JSON.stringify({ ...r, machine }));
  }
  if (CASES.has('email')) {
    await runEmailBench(broker.brokers, CONTACTS, (r) => console.log(JSON.stringify({ ...r, machine })));
  }
  if (CASES.has('pacing')) {
    for (const r of await runPacingBench(broker.brokers)) console.log(JSON.stringify({ ...r, machine }));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
