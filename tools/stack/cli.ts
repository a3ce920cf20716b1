// npm run up | down | status: the whole stack left running in the background (Kafka, every
// service as its own process, the SMS simulator), with pidfiles in .herald/run/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKafka, stopKafka } from '../infra/kafka';
import { heraldHome, sleep } from '../infra/paths';
import { databaseUrl, ensureDatabase } from '../infra/postgres';
import { ensureTopics } from '../infra/topics';
import { localBootstrapClient, SERVICES, StackSettings, urlOf } from './services';
import { Supervisor } from './supervisor';

const runDir = join(heraldHome(), 'run');
const pidFile = (name: string) => join(runDir, `${name}.pid`);
const say = (s: string) => console.log(s);

function alivePid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    rmSync(pidFile(name), { force: true });
    return undefined;
  }
}

async function up(): Promise<void> {
  const broker = await ensureKafka({ log: say });
  const settings: StackSettings = {
    portBase: Number(process.env['HERALD_PORT_BASE'] ?? 8080),
    databaseUrl: databaseUrl(),
    brokers: broker.brokers,
    topicPrefix: process.env['KAFKA_TOPIC_PREFIX'] ?? '',
    logLevel: process.env['LOG_LEVEL'] ?? 'info',
    bootstrapClient: localBootstrapClient(),
    providerEvents: true,
  };
  await ensureTopics({ brokers: settings.brokers, prefix: settings.topicPrefix });
  await ensureDatabase(settings.databaseUrl);
  mkdirSync(runDir, { recursive: true });
  const supervisor = new Supervisor(settings, { detached: true });
  const started: string[] = [];
  for (const s of SERVICES) {
    const pid = alivePid(s.name);
    if (pid) {
      say(`${s.name}: already running (pid ${pid})`);
      continue;
    }
    const svc = supervisor.start(s.name);
    writeFileSync(pidFile(s.name), String(svc.process.pid));
    started.push(s.name);
  }
  await Promise.all(started.map((n) => supervisor.waitReady(n)));
  say(`Herald is up: public API at ${urlOf(settings, 'edge')} (bootstrap client ${settings.bootstrapClient.id}); logs in ${join(heraldHome(), 'logs')}; stop with npm run down`);
}

async function down(): Promise<void> {
  for (const s of [...SERVICES].reverse()) {
    const pid = alivePid(s.name);
    if (!pid) continue;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alivePid(s.name); i++) await sleep(200);
    if (alivePid(s.name)) process.kill(pid, 'SIGKILL');
    rmSync(pidFile(s.name), { force: true });
    say(`${s.name}: stopped`);
  }
  await stopKafka({ log: say });
}

async function status(): Promise<void> {
  for (const s of SERVICES) {
    const pid = alivePid(s.name);
    say(`${s.name.padEnd(14)} ${pid ? `running (pid ${pid})` : 'stopped'}`);
  }
}

const commands: Record<string, () => Promise<void>> = { up, down, status };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error('usage: cli.js <up|down|status>');
  process.exit(2);
}
command().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  },
);
