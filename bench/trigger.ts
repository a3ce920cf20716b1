// The trigger path (issue 6): agentless API requests accepted per second (each one a message that
// goes through the whole pipeline), the p99 at a fixed 2,000 requests/s, and trigger-topic
// ingestion (events/s from publish to dispatched). Baselines in the same run: the edge's
// /health/live under the same load (one Nest process' HTTP floor), and a bare one-hop Kafka relay.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { heraldClient } from '../tools/demo/herald-client';
import { provisionSender } from '../tools/demo/sms-campaign';
import { IsolatedStack, startIsolatedStack } from '../tools/stack/isolated-stack';
import { urlOf } from '../tools/stack/services';
import { cpuPerUnit, snapshotCpu } from './process-cpu';
import { round, runRelay } from './relay';

const SENDER = '+12025550100';
const SECONDS = Number(process.env['BENCH_TRIGGER_SECONDS'] ?? 10);
const EVENTS = Number(process.env['BENCH_TRIGGER_EVENTS'] ?? 20_000);
const log = (s: string) => process.stderr.write(`${s}\n`);

function summary(name: string, r: autocannon.Result) {
  const ok = Object.entries(r.statusCodeStats).filter(([code]) => code.startsWith('2')).reduce((n, [, s]) => n + Number(s.count), 0);
  return { case: name, seconds: r.duration, okPerSecond: Math.round(ok / r.duration), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** Runs a load, with each service's CPU milliseconds per request (the pipeline's share included: it sends what the API accepted). */
async function measured(stack: IsolatedStack, name: string, options: autocannon.Options) {
  const before = snapshotCpu(stack.supervisor);
  const result = await autocannon(options);
  return { ...summary(name, result), cpuMsPerRequest: cpuPerUnit(before, snapshotCpu(stack.supervisor), result.requests.total) };
}

export async function runTriggerBench(brokers: string[], portBase = 28580): Promise<object[]> {
  // One client sends everything: the per-client rate limit is lifted for the measurement.
  const stack = await startIsolatedStack({ name: 'bench', brokers, portBase, extraEnv: { edge: { RATE_LIMIT_PER_SECOND: '100000' } } });
  const api = await heraldClient(urlOf(stack.settings, 'edge'), stack.settings.bootstrapClient);
  await provisionSender(api, SENDER);
  const out: object[] = [];
  try {
    const edge = urlOf(stack.settings, 'edge');
    const agentless = {
      url: `${edge}/api/v2/conversations/messages/agentless`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.accessToken}` },
      body: JSON.stringify({ fromAddress: SENDER, toAddress: '+12025550147', toAddressMessengerType: 'sms', textBody: 'Your verification code is 481516.' }),
      duration: SECONDS,
      timeout: 30,
    };
    log('trigger: warm-up');
    await autocannon({ ...agentless, connections: 10, duration: 2 });
    log(`trigger: agentless at full speed for ${SECONDS} s`);
    out.push(await measured(stack, 'agentless-max', { ...agentless, connections: 50 }));
    log(`trigger: edge /health/live at full speed for ${SECONDS} s (baseline)`);
    out.push(await measured(stack, 'edge-health-baseline', { url: `${edge}/health/live`, connections: 50, duration: SECONDS }));
    log(`trigger: agentless at 2,000 requests/s for ${SECONDS} s`);
    out.push({ ...(await measured(stack, 'agentless-2000rps', { ...agentless, connections: 100, overallRate: 2_000 })), targetPerSecond: 2_000 });

    log(`trigger: ${EVENTS} trigger events`);
    const before = snapshotCpu(stack.supervisor);
    const ingested = await ingestion(stack.settings.brokers, stack.settings.topicPrefix);
    out.push({ ...ingested, cpuMsPerEvent: cpuPerUnit(before, snapshotCpu(stack.supervisor), EVENTS) });
    log(`trigger: bare one-hop relay of ${EVENTS} messages (baseline)`);
    out.push(await runRelay(brokers, EVENTS, 1));
  } finally {
    await stack.close();
  }
  return out;
}

/** Publishes EVENTS trigger events (binary mode), timed until the triggers group has committed them all. */
async function ingestion(brokers: string[], prefix: string) {
  const kafka = new Kafka({ clientId: 'bench-trigger', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  const topic = `${prefix}herald.trigger.v1`;
  const value = Buffer.from(JSON.stringify({ fromAddress: SENDER, toAddress: '+12025550148', toAddressMessengerType: 'sms', textBody: 'Your table is ready.' }));
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < EVENTS; sent += 1_000) {
    const n = Math.min(1_000, EVENTS - sent);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({
        key: String(sent + i),
        value,
        headers: { 'content-type': 'application/json', ce_specversion: '1.0', ce_id: randomUUID(), ce_source: '/bench', ce_type: 'io.herald.trigger.message.v1' },
      })),
    });
  }
  for (;;) {
    const [offsets] = await admin.fetchOffsets({ groupId: `${prefix}herald.triggers`, topics: [topic] });
    const committed = offsets!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    if (committed >= EVENTS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  return { case: 'trigger-topic-ingestion', events: EVENTS, seconds: round(seconds), eventsPerSecond: Math.round(EVENTS / seconds) };
}
