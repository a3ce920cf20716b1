// Topics come from one manifest, deploy/topics.json. A prefix gives each test run (or each
// developer sharing a broker) its own namespace: physical name = prefix + logical name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { defaultBrokers, repoRoot, sleep } from './paths';

export interface TopicSpec {
  /** Logical name, e.g. `herald.contact.dispatch.v1`. */
  name: string;
  partitions: number;
  /** Kafka topic configs (`retention.ms`, `cleanup.policy`, ...), values as Kafka takes them: strings. */
  config: Record<string, string>;
  description: string;
}

export interface TopicsOptions {
  brokers?: string[];
  /** Default KAFKA_TOPIC_PREFIX, else ''. */
  prefix?: string;
  timeoutMs?: number;
}

export function readTopicManifest(file = join(repoRoot(), 'deploy', 'topics.json')): TopicSpec[] {
  const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(manifest)) throw new Error(`${file}: expected an array of topics`);
  for (const t of manifest as TopicSpec[]) {
    const ok =
      typeof t?.name === 'string' &&
      Number.isInteger(t.partitions) &&
      t.partitions > 0 &&
      typeof t.config === 'object' &&
      Object.values(t.config).every((v) => typeof v === 'string');
    if (!ok) throw new Error(`${file}: invalid entry ${JSON.stringify(t)}`);
  }
  return manifest as TopicSpec[];
}

/**
 * Creates the missing manifest topics and grows any with fewer partitions than the manifest.
 * Existing topics are otherwise left alone (their configs are not rewritten). Resolves once the
 * metadata shows every topic with its partitions and a leader for each.
 */
export async function ensureTopics(
  options: TopicsOptions = {},
): Promise<{ created: string[]; grown: string[]; existing: string[] }> {
  const prefix = options.prefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
  const wanted = readTopicManifest().map((t) => ({ ...t, name: prefix + t.name }));
  return withAdmin(options.brokers, async (admin) => {
    const present = new Map(
      (await admin.fetchTopicMetadata()).topics.map((t) => [t.name, t.partitions.length] as const),
    );
    const missing = wanted.filter((t) => !present.has(t.name));
    const small = wanted.filter((t) => (present.get(t.name) ?? Infinity) < t.partitions);
    if (missing.length > 0) {
      await admin.createTopics({
        // Leaders are awaited below, tolerantly: a broker that has just started can answer the
        // metadata of a topic it has just created with UNKNOWN_TOPIC_OR_PARTITION for a moment.
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    if (small.length > 0) {
      await admin.createPartitions({ topicPartitions: small.map((t) => ({ topic: t.name, count: t.partitions })) });
    }
    await until(options.timeoutMs, `topics ${prefix}* to show in the metadata`, async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: wanted.map((t) => t.name) });
      return wanted.every((w) => {
        const t = topics.find((x) => x.name === w.name);
        return !!t && t.partitions.length >= w.partitions && t.partitions.every((p) => p.leader >= 0);
      });
    });
    return {
      created: missing.map((t) => t.name),
      grown: small.map((t) => t.name),
      existing: wanted.filter((t) => present.has(t.name)).map((t) => t.name),
    };
  });
}

/**
 * Deletes every topic whose name starts with the prefix (a test's whole namespace, including
 * topics it made beyond the manifest) and waits until they are gone. An empty prefix would mean
 * every topic on the broker, so it is refused.
 */
export async function deleteTopics(options: TopicsOptions = {}): Promise<string[]> {
  const prefix = options.prefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
  if (!prefix) throw new Error('deleteTopics needs a non-empty prefix: it would delete every topic');
  return withAdmin(options.brokers, async (admin) => {
    const doomed = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (doomed.length === 0) return [];
    await admin.deleteTopics({ topics: doomed });
    await until(options.timeoutMs, `topics ${prefix}* to be deleted`, async () => {
      const left = await admin.listTopics();
      return !left.some((t) => t.startsWith(prefix));
    });
    return doomed;
  });
}

/** Which manifest topics exist under the prefix, for status output. */
export async function topicStatus(options: TopicsOptions = {}): Promise<{ present: string[]; missing: string[] }> {
  const prefix = options.prefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
  const names = readTopicManifest().map((t) => prefix + t.name);
  const existing = new Set(await withAdmin(options.brokers, (admin) => admin.listTopics()));
  return { present: names.filter((n) => existing.has(n)), missing: names.filter((n) => !existing.has(n)) };
}

async function withAdmin<T>(brokers: string[] | undefined, fn: (admin: Admin) => Promise<T>): Promise<T> {
  // Errors are thrown to the caller; kafkajs' own logging would print them a second time.
  const admin = new Kafka({ clientId: 'herald-infra', brokers: brokers ?? defaultBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

async function until(timeoutMs = 60_000, what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(100);
  }
}
