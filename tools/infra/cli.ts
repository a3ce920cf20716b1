// node dist/tools/infra/cli.js <up|down|restart|status|topics>
// The local stack's infrastructure: the Kafka broker, the manifest's topics, the database.
import { ensureKafka, kafkaStatus, restartKafka, stopKafka } from './kafka';
import { defaultBrokers } from './paths';
import { databaseExists, databaseUrl, ensureDatabase } from './postgres';
import { ensureTopics, topicStatus } from './topics';

const say = (line: string) => console.log(line);
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';

async function topics(brokers: string[]): Promise<void> {
  const r = await ensureTopics({ brokers, prefix });
  const total = r.created.length + r.existing.length;
  say(`topics: ${total} ready${prefix ? ` under prefix '${prefix}'` : ''} (${r.created.length} created, ${r.grown.length} grown)`);
}

async function database(): Promise<void> {
  const created = await ensureDatabase();
  say(`postgres: database ${new URL(databaseUrl()).pathname.slice(1)} ${created ? 'created' : 'ready'}`);
}

const commands: Record<string, () => Promise<void>> = {
  async up() {
    const kafka = await ensureKafka({ log: say });
    await topics(kafka.brokers);
    await database();
  },
  async down() {
    const r = await stopKafka({ log: say });
    if (!r.stopped) say('kafka: not running');
  },
  async restart() {
    await restartKafka({ log: say });
  },
  async status() {
    const s = await kafkaStatus();
    say(
      s.running
        ? `kafka: ${s.answering ? 'running' : 'NOT ANSWERING'}, pid ${s.pid} on ${s.brokers.join(',')} (Kafka ${s.version}, cluster ${s.clusterId ?? '?'}); log ${s.logFile}`
        : `kafka: not running${s.answering ? `, but ${s.brokers[0]} answers as a broker not started from ${s.home}` : ''}`,
    );
    if (s.answering) {
      const t = await topicStatus({ brokers: s.brokers, prefix });
      say(`topics: ${t.present.length}/${t.present.length + t.missing.length} of the manifest present${t.missing.length ? `; missing ${t.missing.join(', ')}` : ''}`);
    }
    const exists = await databaseExists().catch((e: Error) => e);
    say(exists instanceof Error ? `postgres: ${exists.message}` : `postgres: database ${new URL(databaseUrl()).pathname.slice(1)} ${exists ? 'exists' : 'missing'}`);
  },
  async topics() {
    await topics(defaultBrokers());
  },
};

const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error(`usage: cli.js <${Object.keys(commands).join('|')}>`);
  process.exit(2);
}
command().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
