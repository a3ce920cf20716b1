import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { decodeEvents, EventEnvelope } from '@herald/contracts';
import { heraldClient, HeraldClient } from '../../../tools/demo/herald-client';
import { startIsolatedStack } from '../../../tools/stack/isolated-stack';
import { entryOf, Supervisor } from '../../../tools/stack/supervisor';
import { testInfrastructure } from './infrastructure';
import { StackSettings, urlOf } from '../../../tools/stack/services';

export interface TestStack {
  settings: StackSettings;
  supervisor: Supervisor;
  api: HeraldClient;
  kafka: Kafka;
  simulatorLog: string;
  /** The bootstrap admin client's bearer token (every permission), obtained through the SDK at start. */
  accessToken: string;
  /**
   * A request to the public entrypoint (the edge): `path` such as `/api/v2/outbound/contactlists`.
   * Carries the bootstrap client's bearer token unless `init.headers` has an Authorization header
   * of its own (an empty one sends none).
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A whole Herald for one test file: the real broker (started if needed), a topic namespace and
 * a database of its own, and every service (or those `services` names) as its own process, built
 * from dist/ (npm test builds first). Nothing is shared with another test file or a developer's
 * running stack.
 */
export async function startTestStack(options: { portBase: number; extraEnv?: StackSettings['extraEnv']; services?: string[]; providerEvents?: boolean }): Promise<TestStack> {
  // HERALD_E2E_PORT_SHIFT moves every test stack's ports, so two checkouts can run the suite at once.
  const portBase = options.portBase + Number(process.env['HERALD_E2E_PORT_SHIFT'] ?? 0);
  if (!existsSync(entryOf('contacts'))) throw new Error('dist/ is missing: run `node tools/build.mjs` (npm test does) before the e2e tests');
  const infra = await testInfrastructure();
  const simulatorLog = join(process.env['TMPDIR'] ?? '/tmp', `herald-e2e-${randomUUID().slice(0, 8)}-sms.jsonl`);
  const stack = await startIsolatedStack({
    name: 'e2e',
    brokers: infra.brokers,
    portBase,
    databaseUrl: infra.databaseUrl,
    logLevel: 'info',
    extraEnv: {
      ...options.extraEnv,
      'sms-simulator': { SMS_SIMULATOR_LOG: simulatorLog, ...(options.extraEnv?.['sms-simulator'] ?? {}) },
      // A test client may go faster than the default 100 requests/s on an idle machine; the rate
      // limit itself is tested with a client's own `rateLimitPerSecond` (auth.e2e-spec.ts).
      edge: { RATE_LIMIT_PER_SECOND: '10000', ...(options.extraEnv?.['edge'] ?? {}) },
    },
    services: options.services,
    providerEvents: options.providerEvents,
    // Nine services booting at once on a busy 2-core machine can take more than a minute;
    // HERALD_READY_TIMEOUT_MS gives a machine shared with other test runs longer still.
    readyTimeoutMs: Math.max(180_000, Number(process.env['HERALD_READY_TIMEOUT_MS'] ?? 0)),
  });
  const edge = urlOf(stack.settings, 'edge');
  let api: HeraldClient;
  try {
    api = await heraldClient(edge, stack.settings.bootstrapClient);
  } catch (e) {
    await stack.close();
    throw e;
  }
  return {
    settings: stack.settings,
    supervisor: stack.supervisor,
    api,
    accessToken: api.accessToken,
    kafka: new Kafka({ clientId: `e2e-${stack.id}`, brokers: stack.settings.brokers, logLevel: logLevel.NOTHING }),
    simulatorLog,
    fetch: (path, init) => fetch(`${edge}${path}`, withBearer(init, api.accessToken)),
    close: stack.close,
  };
}

/** `init` with `Authorization: Bearer <token>` unless it names an Authorization header itself (empty: none). */
function withBearer(init: RequestInit | undefined, token: string): RequestInit {
  const headers = new Headers(init?.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  else if (headers.get('authorization') === '') headers.delete('authorization');
  return { ...init, headers };
}

export type SimulatorEntry = { messageId: string; destination: string; body: string; acceptedAt: string; context?: Record<string, string> };

/** Every message the SMS simulator accepted, from its own append-only log. */
export function acceptedBySimulator(stack: TestStack): SimulatorEntry[] {
  if (!existsSync(stack.simulatorLog)) return [];
  return readFileSync(stack.simulatorLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/**
 * Every message the SMS simulator accepted, after having it write what it holds: it appends to
 * its log in small batches, ~10 ms after accepting, so a result read from the topic can arrive
 * before the line does.
 */
export async function flushedSimulatorLog(stack: TestStack): Promise<SimulatorEntry[]> {
  const res = await fetch(`${urlOf(stack.settings, 'sms-simulator')}/_simulator/flush`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`the SMS simulator's flush answered ${res.status}`);
  return acceptedBySimulator(stack);
}

export interface TopicRecord<T> {
  /** Where the Kafka record is: the events of one batched record share it. */
  partition: number;
  offset: string;
  key: string | null;
  /** The event's data (the payload) whichever CloudEvents content mode it was written in; the raw text if it is not an event. */
  value: T | string;
  /** The CloudEvents attributes (id, type, source, traceparent, causationid, …), if the record is an event. */
  event?: Omit<EventEnvelope, 'data'>;
  headers: Record<string, string>;
}

/**
 * Reads a topic of the stack's namespace from the beginning until `done` says enough (or the
 * timeout): one TopicRecord per event, so a batched record (many events) gives one for each.
 */
export async function readTopic<T = unknown>(stack: TestStack, topic: string, done: (records: TopicRecord<T>[]) => boolean, timeoutMs = 60_000) {
  const consumer = stack.kafka.consumer({ groupId: `e2e-reader-${randomUUID()}` });
  const records: TopicRecord<T>[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: `${stack.settings.topicPrefix}${topic}`, fromBeginning: true });
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
      const key = message.key?.toString() ?? null;
      const { offset } = message;
      try {
        for (const decoded of decodeEvents(message.value, headers)) {
          if (!decoded.ok) throw new Error(decoded.reason);
          const { data, ...event } = decoded.envelope;
          records.push({ partition, offset, key, value: data as T, event, headers });
        }
      } catch {
        records.push({ partition, offset, key, value: message.value?.toString('utf8') ?? '', headers });
      }
      if (done(records)) resolve();
    },
  });
  const timer = setTimeout(resolve, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return records;
}
