// The local SES event destination: polls the SES emulator's store (GET /store?since=…) and, for
// every email Herald sent, publishes the SES events its recipient calls for (ses-events.ts) as
// signed SNS notifications to the email-gateway's endpoint. Local tooling only; on AWS, SES and SNS do this.
//   SES_EVENTS_PORT (8097), SES_EMULATOR_URL (http://127.0.0.1:8005), SES_EVENTS_URL (where to post;
//   required), SES_EVENTS_TOPIC_ARN, SES_EVENTS_POLL_MS (200), SES_EVENTS_DUPLICATES (1),
//   SES_EVENTS_ORDER (natural | reversed).
import { createServer } from 'node:http';
import { SnsTopicPublisher } from '@herald/sns';
import type { ReceivedEmail } from '../demo/email-campaign';
import { sesEventsFor } from './ses-events';

function setting(name: string, fallback?: string): string {
  const value = process.env[name]?.trim() || fallback;
  if (value === undefined) {
    process.stderr.write(`ses-events: ${name} is required\n`);
    process.exit(78);
  }
  return value;
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = setting(name, String(fallback));
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    process.stderr.write(`ses-events: ${name} must be an integer from ${min} to ${max}\n`);
    process.exit(78);
  }
  return n;
}

const port = integer('SES_EVENTS_PORT', 8097, 0, 65_535);
const emulator = setting('SES_EMULATOR_URL', 'http://127.0.0.1:8005');
const pollMs = integer('SES_EVENTS_POLL_MS', 200, 10, 60_000);
const duplicates = integer('SES_EVENTS_DUPLICATES', 1, 1, 5);
const order = setting('SES_EVENTS_ORDER', 'natural');
if (order !== 'natural' && order !== 'reversed') {
  process.stderr.write('ses-events: SES_EVENTS_ORDER must be natural or reversed\n');
  process.exit(78);
}
const topic = new SnsTopicPublisher({
  url: setting('SES_EVENTS_URL'),
  topicArn: setting('SES_EVENTS_TOPIC_ARN', 'arn:aws:sns:us-east-1:000000000000:herald-local-ses-events'),
  commonName: 'herald-ses-events-sns',
  onFailure: (status, event) => process.stdout.write(`${JSON.stringify({ level: 'warn', msg: 'SES event not accepted by the subscriber', status, eventType: event['eventType'] })}\n`),
});
topic.certificateUrl = `http://127.0.0.1:${port}/_sns/certificate.pem`;

const seen = new Set<string>();
let since = 0;
let emails = 0;

async function poll(): Promise<void> {
  const res = await fetch(`${emulator}/store${since ? `?since=${since}` : ''}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /store answered ${res.status}`);
  const received = ((await res.json()) as { emails: (ReceivedEmail & { at: number })[] }).emails;
  for (const email of received) {
    if (seen.has(email.messageId)) continue;
    seen.add(email.messageId);
    emails++;
    // `since` has one-second resolution: stay a second behind so nothing sent in the same second is missed.
    since = Math.max(since, Math.floor(email.at) - 1);
    const events = sesEventsFor(email);
    topic.publish(order === 'reversed' ? events.reverse() : events, duplicates);
  }
}

let timer: NodeJS.Timeout | undefined;
let unreadable = false;
const loop = () => {
  poll()
    .then(() => (unreadable = false))
    .catch((e: unknown) => {
      // Said once per outage, not on every poll.
      if (!unreadable) process.stdout.write(`${JSON.stringify({ level: 'warn', msg: 'SES emulator not readable', err: (e as Error).message })}\n`);
      unreadable = true;
    })
    .finally(() => (timer = setTimeout(loop, pollMs)));
};

const server = createServer((req, res) => {
  const reply = (status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (req.method === 'GET' && req.url === '/_sns/certificate.pem') {
    topic.certificatePem().then((pem) => reply(200, pem, 'application/x-pem-file'), () => reply(500, '{"error":"no certificate"}'));
  } else if (req.method === 'GET' && req.url === '/health') {
    topic.certificatePem().then(() => reply(200, '{"status":"ok"}'), () => reply(503, '{"status":"no certificate"}'));
  } else if (req.method === 'GET' && req.url === '/stats') {
    reply(200, JSON.stringify({ emails, ...topic.stats }));
  } else if (req.method === 'POST' && req.url === '/drain') {
    void poll()
      .then(() => topic.drained())
      .then(() => reply(200, JSON.stringify({ emails, ...topic.stats })), (e: unknown) => reply(503, JSON.stringify({ error: (e as Error).message })));
  } else reply(404, '{"error":"not found"}');
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'ses-events listening', port, emulator })}\n`);
  loop();
});

const stop = () => {
  clearTimeout(timer);
  topic.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
