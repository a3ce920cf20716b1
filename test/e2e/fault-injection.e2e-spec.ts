// Fault injection (issue 5): a 10,000-contact SMS campaign on the real stack under each fault,
// judged from the SMS simulator's own log of what it accepted and the delivery-result topic:
//   lost       — contacts with no terminal result, or accepted by Herald but not by the simulator;
//   duplicates — messages the simulator accepted more than once;
//   unknown    — sends Herald cannot know the fate of (a gateway died mid-call): counted, never resent.
// Each case prints its figures as one JSON line (`fault report`); docs/reliability.md has them.
// The broker and database faults restart the machine's shared local broker and PostgreSQL
// cluster: they need the local infrastructure (no Docker) and the suite running alone (npm test
// runs the e2e files one after another).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { DEAD_LETTER_TOPIC } from '@herald/contracts';
import { restartKafka } from '../../tools/infra/kafka';
import { awaitCompletion, prepareSmsCampaign, setCampaignStatus } from '../../tools/demo/sms-campaign';
import { urlOf } from '../../tools/stack/services';
import { acceptedBySimulator, readTopic, startTestStack, TestStack } from './support/test-stack';

jest.setTimeout(900_000);

const CONTACTS = 10_000;
/** The sender rate this stack's SMS gateway keeps to (every sender number), checked at the simulator. */
const SENDER_RATE = 300;
const TERMINAL = new Set(['accepted', 'rejected', 'skipped', 'failed', 'unknown']);

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ portBase: 32080, extraEnv: { 'sms-gateway': { SMS_SENDER_RATE_PER_SECOND: String(SENDER_RATE) } } });
});

afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function messaged(campaignId: string): Promise<number> {
  const p = await stack.api.outbound.getOutboundMessagingcampaignProgress(campaignId);
  return (p.numberOfContactsMessaged ?? 0) + Object.values((p as { numberOfContactsSkipped?: Record<string, number> }).numberOfContactsSkipped ?? {}).reduce((a, b) => a + b, 0);
}

/** Waits until the campaign has `count` contacts with a result; retries through a fault's errors. */
async function untilMessaged(campaignId: string, count: number, timeoutMs = 600_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await messaged(campaignId).catch(() => -1);
    if (n >= count) return n;
    if (Date.now() > deadline) throw new Error(`campaign ${campaignId} did not reach ${count} results (at ${n})`);
    await sleep(250);
  }
}

async function deadLetters(): Promise<number> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(`${stack.settings.topicPrefix}${DEAD_LETTER_TOPIC}`);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

interface FaultReport {
  fault: string;
  contacts: number;
  lost: number;
  /** The parts of `lost`: contacts without a terminal result; messages accepted by Herald the simulator never saw. */
  noResult: number;
  notAtSimulator: number;
  duplicates: number;
  unknown: number;
  /** From the end of each fault (the process or server back) until results flowed again; the longest. */
  recoverSeconds: number;
  deadLettered: number;
}

/**
 * One campaign of CONTACTS contacts at full speed; `inject` runs the fault after `at` share of
 * results and returns once the faulty part is back. Then: completion, and the figures.
 */
async function campaignUnder(fault: string, inject: (campaignId: string) => Promise<number[]>): Promise<FaultReport & { acceptedAt: number[] }> {
  const handle = await prepareSmsCampaign(stack.api, { contacts: CONTACTS, messagesPerMinute: 1_000_000, name: `e2e fault ${fault}`, sender: `+1555555${String(300 + Math.floor(Math.random() * 600)).padStart(4, '0')}` });
  const dlqBefore = await deadLetters();
  await setCampaignStatus(stack.api, handle.campaignId, 'on');
  const recoveries = await inject(handle.campaignId);

  // A service that gave up during the fault exits and is started again by the supervisor (as an
  // orchestrator would): the API may answer 502 for a few seconds meanwhile.
  const deadline = Date.now() + 600_000;
  let outcome: Awaited<ReturnType<typeof awaitCompletion>> | undefined;
  while (!outcome) {
    outcome = await awaitCompletion(stack.api, handle.campaignId, { timeoutMs: deadline - Date.now(), intervalMs: 1_000 }).catch((e: { status?: number }) => {
      if (e.status !== 502 && e.status !== 503) throw e;
      return undefined;
    });
    if (!outcome) await sleep(1_000);
  }
  expect(outcome.status).toBe('complete');

  const results = new Map<string, Set<string>>();
  await readTopic<{ messageId: string; campaignId?: string; outcome: string }>(
    stack,
    'herald.delivery.result.v1',
    (records) => {
      results.clear();
      for (const r of records) {
        const v = r.value as { messageId: string; campaignId?: string; outcome: string };
        if (typeof v !== 'object' || v.campaignId !== handle.campaignId || !TERMINAL.has(v.outcome)) continue;
        results.set(v.messageId, (results.get(v.messageId) ?? new Set()).add(v.outcome));
      }
      return results.size >= CONTACTS;
    },
    600_000,
  );
  // The simulator writes its log in small batches: have it write what it holds.
  await fetch(`${urlOf(stack.settings, 'sms-simulator')}/_simulator/flush`, { method: 'POST' });
  const atSimulator = new Map<string, number>();
  const acceptedAt: number[] = [];
  for (const m of acceptedBySimulator(stack)) {
    const id = m.context?.['heraldMessageId'];
    if (id && results.has(id)) {
      atSimulator.set(id, (atSimulator.get(id) ?? 0) + 1);
      acceptedAt.push(Date.parse(m.acceptedAt));
    }
  }
  const accepted = [...results].filter(([, outcomes]) => outcomes.has('accepted')).map(([id]) => id);
  const noResult = CONTACTS - results.size;
  const notAtSimulator = accepted.filter((id) => !atSimulator.has(id)).length;
  const report: FaultReport = {
    fault,
    contacts: CONTACTS,
    lost: noResult + notAtSimulator,
    noResult,
    notAtSimulator,
    duplicates: [...atSimulator.values()].filter((n) => n > 1).length,
    unknown: [...results.values()].filter((o) => o.has('unknown')).length,
    recoverSeconds: Math.max(0, ...recoveries),
    deadLettered: (await deadLetters()) - dlqBefore,
  };
  process.stdout.write(`fault report ${JSON.stringify(report)}\n`);
  return { ...report, acceptedAt };
}

/** Seconds from now until the campaign's results move past `from`. */
async function recovery(campaignId: string, from: number): Promise<number> {
  const t0 = Date.now();
  await untilMessaged(campaignId, from + 1);
  return (Date.now() - t0) / 1000;
}

it('SIGKILL of the SMS gateway, three times mid-campaign: nothing lost, nothing sent twice, unknowns counted', async () => {
  const report = await campaignUnder('sms-gateway SIGKILL ×3', async (campaignId) => {
    const recoveries: number[] = [];
    for (const share of [0.15, 0.4, 0.65]) {
      await untilMessaged(campaignId, CONTACTS * share);
      await stack.supervisor.stop('sms-gateway', 'SIGKILL');
      const at = await messaged(campaignId);
      await sleep(1_000);
      stack.supervisor.start('sms-gateway');
      await stack.supervisor.waitReady('sms-gateway');
      recoveries.push(await recovery(campaignId, at));
    }
    return recoveries;
  });
  expect(report.duplicates).toBe(0);
  expect(report.lost).toBe(0);
  expect(report.deadLettered).toBe(0);
  // A kill mid-call leaves at most the calls in flight unknown, never a batch's worth.
  expect(report.unknown).toBeLessThan(CONTACTS * 0.05);
});

it('Kafka broker restart mid-campaign: completes, nothing lost, nothing sent twice', async () => {
  const report = await campaignUnder('Kafka broker restart', async (campaignId) => {
    await untilMessaged(campaignId, CONTACTS * 0.3);
    await restartKafka();
    const at = await messaged(campaignId);
    return [await recovery(campaignId, at)];
  });
  expect(report.duplicates).toBe(0);
  expect(report.lost).toBe(0);
  expect(report.deadLettered).toBe(0);
});

/** The local PostgreSQL cluster's version directory (Debian's pg_ctlcluster layout), if this machine has one. */
function localCluster(): string | undefined {
  if (process.env['DATABASE_URL'] || !existsSync('/etc/postgresql')) return undefined;
  return readdirSync('/etc/postgresql')[0];
}

it('PostgreSQL restart mid-campaign: every service recovers on its own, nothing lost, nothing sent twice', async () => {
  const version = localCluster();
  if (!version) throw new Error('this case restarts the local PostgreSQL cluster with pg_ctlcluster; run it where the suite uses the local server');
  const report = await campaignUnder('PostgreSQL restart', async (campaignId) => {
    await untilMessaged(campaignId, CONTACTS * 0.3);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '--mode', 'fast'], { stdio: 'ignore' });
    const at = await messaged(campaignId).catch(() => CONTACTS * 0.3);
    return [await recovery(campaignId, at)];
  });
  expect(report.duplicates).toBe(0);
  expect(report.lost).toBe(0);
  expect(report.deadLettered).toBe(0);
  // No service was restarted by hand: each one's readiness is back.
  for (const name of ['contacts', 'campaigns', 'dnc', 'templates', 'sms-gateway', 'reporting']) await stack.supervisor.waitReady(name);
});

/** The most messages in any one-second window [t, t + 1 s). */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= 1_000) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}

it('the simulator throttles half the calls: completes, nothing dead-lettered, the sender rate kept', async () => {
  const simulator = urlOf(stack.settings, 'sms-simulator');
  const set = (throttleRate: number) =>
    fetch(`${simulator}/_simulator/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ throttleRate }) }).then((r) => expect(r.status).toBe(200));
  await set(0.5);
  try {
    const report = await campaignUnder('half the calls throttled', async () => []);
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.deadLettered).toBe(0);
    expect(report.unknown).toBe(0);
    // The limiter counts calls, throttled ones included; what the provider accepted stays within
    // the rate, give or take one short window (see SenderRateLimiter).
    expect(busiestSecond(report.acceptedAt)).toBeLessThanOrEqual(SENDER_RATE * 1.1);
  } finally {
    await set(0);
  }
});

it('poison records mid-campaign (undecodable, and an event its schema refuses) are dead-lettered with the reason; the partitions keep moving', async () => {
  const producer = stack.kafka.producer();
  await producer.connect();
  try {
    const report = await campaignUnder('poison records', async (campaignId) => {
      await untilMessaged(campaignId, CONTACTS * 0.2);
      const poison = [
        { topic: 'herald.contact.dispatch.v1', value: Buffer.from([0xff, 0xfe, 0x00, 0x7b]) },
        {
          topic: 'herald.message.rendered.sms.v1',
          value: Buffer.from(JSON.stringify({ specversion: '1.0', id: 'poison-1', type: 'io.herald.message.sms-rendered.v1', source: '/e2e', datacontenttype: 'application/json', data: { messageId: 'not-a-uuid' } })),
        },
      ];
      for (const p of poison) {
        await producer.send({ topic: `${stack.settings.topicPrefix}${p.topic}`, messages: [{ key: 'poison', value: p.value, headers: { 'content-type': 'application/cloudevents+json' } }] });
      }
      return [];
    });
    expect(report.duplicates).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.deadLettered).toBe(2);
    const dead = await readTopic(stack, DEAD_LETTER_TOPIC, (records) => records.filter((r) => r.key === 'poison').length >= 2);
    const reasons = dead.filter((r) => r.key === 'poison').map((r) => `${r.headers['x-herald-dlq-topic']}: ${r.headers['x-herald-dlq-reason']}`);
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/contact\.dispatch.*: .+/), expect.stringMatching(/rendered\.sms.*: .+/)]));
  } finally {
    await producer.disconnect();
  }
});
