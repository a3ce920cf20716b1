// The infrastructure tools against the real broker and PostgreSQL. The broker is left running
// at the end: the other suites reuse it.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ensureKafka, kafkaStatus, stopKafka } from '../../tools/infra/kafka';
import { heraldHome } from '../../tools/infra/paths';
import { databaseExists, databaseUrl, dropDatabase, ensureDatabase } from '../../tools/infra/postgres';
import { deleteTopics, ensureTopics, readTopicManifest, topicStatus } from '../../tools/infra/topics';

// testTimeout in jest.config.js's e2e project is not applied (Jest reads it only at the top level).
jest.setTimeout(180_000);

const manifest = readTopicManifest();
const uniquePrefix = () => `it-infra-${randomUUID().slice(0, 8)}.`;
let brokers: string[];
let kafka: Kafka;
const prefixes: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  brokers = (await ensureKafka()).brokers;
  kafka = new Kafka({ clientId: 'infra-e2e', brokers, logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  // Clean up namespaces a failed test may have left behind.
  for (const prefix of prefixes) await deleteTopics({ brokers, prefix });
});

describe('kafka broker', () => {
  it('is started once: ensureKafka again reuses the same process', async () => {
    const first = await ensureKafka();
    const [second, third] = await Promise.all([ensureKafka(), ensureKafka()]);
    expect(second.pid).toBe(first.pid);
    expect(third.pid).toBe(first.pid);
    expect(second.started).toBe(false);
    const status = await kafkaStatus();
    expect(status).toMatchObject({ running: true, answering: true, pid: first.pid, clusterId: first.clusterId });
  });

  it('refuses a port held by something that is not a Kafka broker, before fetching anything', async () => {
    const server: Server = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const home = mkdtempSync(join(tmpdir(), 'herald-infra-'));
    try {
      await expect(ensureKafka({ home, port })).rejects.toThrow(/held by another process, not a Kafka broker/);
      await expect(ensureKafka({ home })).rejects.toThrow(/held by a Kafka broker .* not started from/);
    } finally {
      server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('survives a crash: a stale pidfile is cleared and a restart keeps the data', async () => {
    // A broker of its own (own HERALD_HOME and ports), so that crashing it disturbs no other suite.
    const home = mkdtempSync(join(tmpdir(), 'herald-crash-'));
    mkdirSync(join(home, 'kafka'));
    symlinkSync(join(heraldHome(), 'kafka', 'libs'), join(home, 'kafka', 'libs')); // already fetched
    const [port, controllerPort] = [await freePort(), await freePort()];
    const options = { home, port, controllerPort };
    try {
      const before = await ensureKafka(options);
      expect(before).toMatchObject({ started: true, brokers: [`127.0.0.1:${port}`] });
      const prefix = uniquePrefix();
      await ensureTopics({ brokers: before.brokers, prefix });

      const crashed = await stopKafka({ ...options, signal: 'SIGKILL' });
      expect(crashed).toMatchObject({ pid: before.pid, stopped: true, forced: true });
      writeFileSync(join(home, 'kafka', 'kafka.pid'), `${before.pid}\n`); // as a crash leaves it

      const after = await ensureKafka(options);
      expect(after.started).toBe(true);
      expect(after.pid).not.toBe(before.pid);
      expect(after.clusterId).toBe(before.clusterId);
      const { missing } = await topicStatus({ brokers: after.brokers, prefix });
      expect(missing).toEqual([]);

      expect(await stopKafka(options)).toMatchObject({ pid: after.pid, stopped: true, forced: false });
      expect(existsSync(join(home, 'kafka', 'kafka.pid'))).toBe(false);
      expect(await kafkaStatus(options)).toMatchObject({ running: false, answering: false });
    } finally {
      await stopKafka({ ...options, signal: 'SIGKILL' });
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('topics', () => {
  it('creates every manifest topic under a prefix with its partitions and configs, once', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const admin = kafka.admin();
    await admin.connect();
    try {
      // One topic already exists with too few partitions: ensureTopics must grow it.
      const deadletter = manifest.find((t) => t.name === 'herald.deadletter.v1')!;
      await admin.createTopics({ topics: [{ topic: prefix + deadletter.name, numPartitions: 1 }] });

      const first = await ensureTopics({ brokers, prefix });
      expect(first.grown).toEqual([prefix + deadletter.name]);
      expect(first.created).toHaveLength(manifest.length - 1);

      const names = manifest.map((t) => prefix + t.name);
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms', 'cleanup.policy'] })),
      });
      for (const spec of manifest) {
        const name = prefix + spec.name;
        expect({ name, partitions: topics.find((t) => t.name === name)?.partitions.length }).toEqual({ name, partitions: spec.partitions });
        if (spec.name === deadletter.name) continue; // pre-existing: its configs are left alone
        const entries = configs.resources.find((r) => r.resourceName === name)!.configEntries;
        const actual = Object.fromEntries(entries.map((e) => [e.configName, e.configValue]));
        expect({ name, ...actual }).toEqual({ name, ...spec.config });
      }

      const again = await ensureTopics({ brokers, prefix });
      expect(again).toEqual({ created: [], grown: [], existing: names });

      expect(await deleteTopics({ brokers, prefix })).toHaveLength(manifest.length);
      const left = await admin.listTopics();
      expect(left.filter((t) => t.startsWith(prefix))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses to delete without a prefix', async () => {
    await expect(deleteTopics({ brokers, prefix: '' })).rejects.toThrow(/non-empty prefix/);
  });
});

describe('postgres', () => {
  it('creates a database once and drops it even while connected', async () => {
    const url = new URL(databaseUrl());
    url.pathname = `/herald_it_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const dbUrl = url.toString();
    try {
      expect(await ensureDatabase(dbUrl)).toBe(true);
      expect(await ensureDatabase(dbUrl)).toBe(false);
      expect(await databaseExists(dbUrl)).toBe(true);

      const open = new Client({ connectionString: dbUrl });
      open.on('error', () => undefined); // its connection is terminated by the drop
      await open.connect();
      await dropDatabase(dbUrl);
      expect(await databaseExists(dbUrl)).toBe(false);
      await open.end().catch(() => undefined);
    } finally {
      await dropDatabase(dbUrl);
    }
  });
});
