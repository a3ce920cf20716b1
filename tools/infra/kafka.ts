// The local Kafka broker: one KRaft node that is both broker and controller, run from the jars
// that deploy/kafka/pom.xml pins (no Docker here). State lives under HERALD_HOME (default
// <repo>/.herald): kafka/libs (jars), kafka/server.properties, kafka/data (log.dirs),
// kafka/logs/server.log (log4j2), kafka/kafka.pid, and logs/kafka.log (the JVM's stdout/stderr).
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { heraldHome, repoRoot, sleep } from './paths';

export interface KafkaOptions {
  /** State directory; default HERALD_HOME or <repo>/.herald. */
  home?: string;
  /** Listener host; default KAFKA_HOST or 127.0.0.1. */
  host?: string;
  /** Client (PLAINTEXT) port; default KAFKA_PORT or 9092. */
  port?: number;
  /** KRaft controller port; default KAFKA_CONTROLLER_PORT or port + 1. */
  controllerPort?: number;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Receives short progress lines (fetch, format, start); silent by default. */
  log?: (line: string) => void;
}

export interface KafkaBroker {
  pid: number;
  brokers: string[];
  clusterId: string;
  /** False when an already running broker was reused. */
  started: boolean;
  logFile: string;
  serverLog: string;
}

export interface KafkaStatus {
  running: boolean;
  pid?: number;
  answering: boolean;
  brokers: string[];
  clusterId?: string;
  version: string;
  home: string;
  logFile: string;
}

const POM = () => join(repoRoot(), 'deploy', 'kafka', 'pom.xml');
const LOG4J2 = () => join(repoRoot(), 'deploy', 'kafka', 'log4j2.xml');
const execFileAsync = promisify(execFile);

function resolve(o: KafkaOptions = {}) {
  const home = o.home ?? heraldHome();
  const dir = join(home, 'kafka');
  const port = o.port ?? Number(process.env.KAFKA_PORT || 9092);
  const host = o.host ?? (process.env.KAFKA_HOST || '127.0.0.1');
  return {
    home,
    dir,
    host,
    port,
    controllerPort: o.controllerPort ?? Number(process.env.KAFKA_CONTROLLER_PORT || port + 1),
    brokers: [`${host}:${port}`],
    libs: join(dir, 'libs'),
    props: join(dir, 'server.properties'),
    dataDir: join(dir, 'data'),
    pidFile: join(dir, 'kafka.pid'),
    logFile: join(home, 'logs', 'kafka.log'),
    serverLog: join(dir, 'logs', 'server.log'),
    startTimeoutMs: o.startTimeoutMs ?? 120_000,
    stopTimeoutMs: o.stopTimeoutMs ?? 30_000,
    log: o.log ?? (() => undefined),
  };
}
type Ctx = ReturnType<typeof resolve>;

/** The Kafka version deploy/kafka/pom.xml pins. */
export function pinnedKafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM(), 'utf8'));
  if (!m) throw new Error(`${POM()} has no <kafka.version> property`);
  return m[1].trim();
}

/** Starts the broker unless this HERALD_HOME's broker already runs; resolves once it answers. */
export async function ensureKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const c = resolve(options);
  return withLock(c, async () => {
    const running = livePid(c, true);
    if (running) return reuse(c, running);
    await assertPortsFree(c);

    const t0 = Date.now();
    await ensureLibs(c);
    writeFileSync(c.props, serverProperties(c));
    const clusterId = await ensureFormatted(c);
    const pid = spawnBroker(c);
    const t1 = Date.now();
    await waitUntilAnswering(c, pid, clusterId);
    c.log(`kafka: started pid ${pid} on ${c.brokers[0]} in ${((Date.now() - t1) / 1000).toFixed(1)}s (total ${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    return { pid, brokers: c.brokers, clusterId, started: true, logFile: c.logFile, serverLog: c.serverLog };
  });
}

/**
 * Stops this HERALD_HOME's broker: SIGTERM (a clean, controlled shutdown) and, if it has not
 * exited after stopTimeoutMs, SIGKILL. `signal: 'SIGKILL'` simulates a crash for tests.
 */
export async function stopKafka(
  options: KafkaOptions & { signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<{ pid?: number; stopped: boolean; forced: boolean }> {
  const c = resolve(options);
  return withLock(c, async () => {
    const pid = livePid(c, true);
    if (!pid) return { stopped: false, forced: false };
    let forced = options.signal === 'SIGKILL';
    signal(pid, options.signal ?? 'SIGTERM');
    if (!(await waitForExit(pid, c.stopTimeoutMs))) {
      forced = true;
      signal(pid, 'SIGKILL');
      if (!(await waitForExit(pid, 10_000))) throw new Error(`Kafka (pid ${pid}) survived SIGKILL`);
    }
    // A JVM's sockets close when its last thread is gone, which can be after the pid looks dead:
    // return only once a restart can bind the same ports.
    for (const [host, port] of listenerEndpoints(c)) {
      const deadline = Date.now() + 10_000;
      while ((await tcpOpen(host, port)) && Date.now() < deadline) await sleep(100);
    }
    rmSync(c.pidFile, { force: true });
    c.log(`kafka: stopped pid ${pid}${forced ? ' (killed)' : ''}`);
    return { pid, stopped: true, forced };
  });
}

/** Stops (or, with signal SIGKILL, crashes) the broker and starts it again on the same data. */
export async function restartKafka(
  options: KafkaOptions & { signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<KafkaBroker> {
  await stopKafka(options);
  return ensureKafka(options);
}

export async function kafkaStatus(options: KafkaOptions = {}): Promise<KafkaStatus> {
  const c = resolve(options);
  const pid = livePid(c, false);
  const brokers = pid ? [runningEndpoint(c) ?? c.brokers[0]] : c.brokers;
  const cluster = await describe(brokers);
  return {
    running: pid !== undefined,
    pid,
    answering: cluster !== undefined,
    brokers,
    clusterId: cluster?.clusterId,
    version: pinnedKafkaVersion(),
    home: c.home,
    logFile: c.logFile,
  };
}

// ---------------------------------------------------------------------------------------------

async function reuse(c: Ctx, pid: number): Promise<KafkaBroker> {
  const endpoint = runningEndpoint(c);
  if (endpoint && endpoint !== c.brokers[0]) {
    throw new Error(
      `the Kafka broker of ${c.home} already runs (pid ${pid}) on ${endpoint}, not ${c.brokers[0]}; ` +
        `stop it first, or use another HERALD_HOME for a second broker`,
    );
  }
  // It may still be starting (another process launched it a moment ago): wait, don't restart.
  const clusterId = await waitUntilAnswering(c, pid, knownClusterId(c));
  c.log(`kafka: already running, pid ${pid} on ${c.brokers[0]}`);
  return { pid, brokers: c.brokers, clusterId, started: false, logFile: c.logFile, serverLog: c.serverLog };
}

/** Jars are fetched once per pom content: any edit of the pom (a version bump) refetches. */
async function ensureLibs(c: Ctx): Promise<void> {
  const pom = POM();
  const marker = join(c.libs, '.fetched');
  const stamp = `kafka_2.13 ${pinnedKafkaVersion()}\npom sha256 ${createHash('sha256').update(readFileSync(pom)).digest('hex')}\n`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return;
  const t0 = Date.now();
  c.log(`kafka: fetching Kafka ${pinnedKafkaVersion()} jars with Maven into ${c.libs}`);
  rmSync(c.libs, { recursive: true, force: true }); // stale jars of another version would share the classpath
  mkdirSync(c.libs, { recursive: true });
  await run(
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${c.libs}`],
    'fetching the Kafka jars (mvn)',
  );
  writeFileSync(marker, stamp);
  c.log(`kafka: fetched in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

function serverProperties(c: Ctx): string {
  return `# Generated by tools/infra/kafka.ts on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
# A static one-voter quorum: unlike a dynamic (--standalone) quorum, whose voter endpoint is
# recorded in the metadata log at format time, it keeps working when the ports change.
controller.quorum.voters=1@${c.host}:${c.controllerPort}
listeners=PLAINTEXT://${c.host}:${c.port},CONTROLLER://${c.host}:${c.controllerPort}
advertised.listeners=PLAINTEXT://${c.host}:${c.port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${c.dataDir}

# One node: every internal topic must live with a single replica.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Fast group coordination for tests: few offsets partitions to load, no initial rebalance wait.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0

# After a crash (SIGKILL) the restarted controller refuses the broker's new registration
# (DUPLICATE_BROKER_REGISTRATION) until the old session expires: 9 s by default, 5 s here.
broker.session.timeout.ms=5000
broker.heartbeat.interval.ms=1000

# Topics come from deploy/topics.json only; a typo in a topic name must fail, not create one.
auto.create.topics.enable=false
num.partitions=6
`;
}

/** Formats log.dirs once; the cluster id is generated once and kept in kafka/cluster.id. */
async function ensureFormatted(c: Ctx): Promise<string> {
  const known = knownClusterId(c);
  if (known && existsSync(join(c.dataDir, 'meta.properties'))) return known;
  let clusterId = known;
  if (!clusterId) {
    // Kafka's Uuid text form: 16 random bytes, base64url; one starting with '-' reads like a flag.
    do clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-'));
    writeFileSync(join(c.dir, 'cluster.id'), `${clusterId}\n`);
  }
  const t0 = Date.now();
  await run(
    java(),
    ['-cp', join(c.libs, '*'), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', c.props, '--ignore-formatted'],
    'formatting the Kafka storage',
  );
  c.log(`kafka: formatted ${c.dataDir} (cluster ${clusterId}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return clusterId;
}

function knownClusterId(c: Ctx): string | undefined {
  const meta = join(c.dataDir, 'meta.properties');
  if (existsSync(meta)) {
    const m = /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'));
    if (m) return m[1].trim();
  }
  const file = join(c.dir, 'cluster.id');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

function spawnBroker(c: Ctx): number {
  mkdirSync(join(c.home, 'logs'), { recursive: true });
  const out = openSync(c.logFile, 'a');
  writeSync(out, `\n--- ${new Date().toISOString()} starting Kafka ${pinnedKafkaVersion()} on ${c.brokers[0]} ---\n`);
  // detached: own process group, so the broker outlives this Node process and its signals.
  const child = spawn(
    java(),
    [
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${join(c.dir, 'logs')}`,
      `-Dlog4j2.configurationFile=${LOG4J2()}`,
      '-cp',
      join(c.libs, '*'),
      'kafka.Kafka',
      c.props,
    ],
    { detached: true, stdio: ['ignore', out, out], cwd: c.dir },
  );
  closeSync(out);
  child.on('error', () => undefined); // reported below through the missing pid
  child.unref();
  if (!child.pid) throw new Error(`could not start ${java()} (is Java 17+ installed, or JAVA_HOME set?)`);
  writeFileSync(c.pidFile, `${child.pid}\n`);
  return child.pid;
}

async function waitUntilAnswering(c: Ctx, pid: number, clusterId: string | undefined): Promise<string> {
  const deadline = Date.now() + c.startTimeoutMs;
  for (;;) {
    const cluster = await describe(c.brokers);
    if (cluster) {
      if (clusterId && cluster.clusterId !== clusterId) {
        throw new Error(`${c.brokers[0]} answers with cluster ${cluster.clusterId}, expected ${clusterId} (the one in ${c.dataDir})`);
      }
      return cluster.clusterId;
    }
    if (!isBrokerProcess(c, pid)) {
      rmSync(c.pidFile, { force: true });
      throw new Error(`Kafka (pid ${pid}) exited while starting; see ${c.logFile} and ${c.serverLog}\n${tail(c.logFile, 20)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka (pid ${pid}) did not answer on ${c.brokers[0]} within ${c.startTimeoutMs / 1000}s; ` +
          `it is left running, see ${c.logFile} and ${c.serverLog}`,
      );
    }
    await sleep(250);
  }
}

/** Asks the port the way a client would: a broker that answers is one that registered itself. */
async function describe(brokers: string[]): Promise<{ clusterId: string } | undefined> {
  const admin = new Kafka({
    clientId: 'herald-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 ? { clusterId: cluster.clusterId } : undefined;
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function assertPortsFree(c: Ctx): Promise<void> {
  if (await tcpOpen(c.host, c.port)) {
    const other = await describe(c.brokers);
    const ours = other && other.clusterId === knownClusterId(c);
    throw new Error(
      ours
        ? `${c.brokers[0]} answers as the broker of ${c.home}, but no process of it was found (pidfile lost?); stop it by hand`
        : other
          ? `${c.brokers[0]} is held by a Kafka broker (cluster ${other.clusterId}) not started from ${c.home}; stop it or set KAFKA_PORT`
          : `${c.brokers[0]} is held by another process, not a Kafka broker; free it or set KAFKA_PORT`,
    );
  }
  if (await tcpOpen(c.host, c.controllerPort)) {
    throw new Error(`${c.host}:${c.controllerPort} (KRaft controller port) is in use; free it or set KAFKA_CONTROLLER_PORT`);
  }
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 1000 });
    const finish = (open: boolean) => {
      socket.destroy();
      done(open);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/**
 * The pid of this HERALD_HOME's running broker: from the pidfile, else (pidfile lost) from the
 * process table. A pidfile whose process is gone is stale; `clean` removes it.
 */
function livePid(c: Ctx, clean: boolean): number | undefined {
  if (existsSync(c.pidFile)) {
    const pid = Number(readFileSync(c.pidFile, 'utf8').trim());
    if (pid > 0 && isBrokerProcess(c, pid)) return pid;
    if (clean) {
      rmSync(c.pidFile, { force: true });
      c.log(`kafka: removed stale pidfile (pid ${pid} is not running)`);
    }
  }
  const found = findBrokerProcess(c);
  if (found && clean) writeFileSync(c.pidFile, `${found}\n`);
  return found;
}

/** Alive and this home's broker JVM: a pid recorded long ago may since belong to another process. */
function isBrokerProcess(c: Ctx, pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return isBrokerCommand(c, readFileSync(`/proc/${pid}/cmdline`, 'utf8')); // '' for a zombie
  } catch {
    return process.platform !== 'linux'; // no /proc to ask: trust the signal check
  }
}

function isBrokerCommand(c: Ctx, cmdline: string): boolean {
  const args = cmdline.split('\0');
  return args.includes('kafka.Kafka') && args.includes(c.props);
}

/** Gone, or a zombie (whose parent has not reaped it yet: waiting on kill(pid, 0) could hang). */
function hasExited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return 'ZX'.includes(stat.charAt(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform === 'linux';
  }
}

function findBrokerProcess(c: Ctx): number | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (isBrokerCommand(c, readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) return Number(entry);
    } catch {
      // exited while we looked
    }
  }
  return undefined;
}

/** host/port pairs the broker listens on, as its server.properties says. */
function listenerEndpoints(c: Ctx): Array<[string, number]> {
  const line = existsSync(c.props) ? /^listeners=(.*)$/m.exec(readFileSync(c.props, 'utf8'))?.[1] : undefined;
  return (line ?? '').split(',').flatMap((l) => {
    const m = /^\w+:\/\/(.+):(\d+)$/.exec(l.trim());
    return m ? [[m[1], Number(m[2])] as [string, number]] : [];
  });
}

function runningEndpoint(c: Ctx): string | undefined {
  if (!existsSync(c.props)) return undefined;
  return /^advertised\.listeners=PLAINTEXT:\/\/(\S+)$/m.exec(readFileSync(c.props, 'utf8'))?.[1];
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!hasExited(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Serialises start and stop across processes (parallel Jest workers, a CLI next to a test run),
 * so that two callers never both decide to start a broker.
 */
async function withLock<T>(c: Ctx, fn: () => Promise<T>): Promise<T> {
  mkdirSync(c.dir, { recursive: true });
  const lock = join(c.dir, 'kafka.lock');
  const deadline = Date.now() + 10 * 60_000; // a first start includes the Maven fetch
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: number;
    try {
      owner = Number(readFileSync(lock, 'utf8').trim() || NaN); // empty: being written right now
    } catch {
      continue; // released meanwhile
    }
    if (owner > 0 && !isAlive(owner)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lock} is held by pid ${owner}`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; // already gone: what we wanted
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function java(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  try {
    await execFileAsync(cmd, args, { maxBuffer: 32 * 1024 * 1024 });
  } catch (e) {
    const err = e as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${what} failed: ${err.message.split('\n')[0]}\n${lastLines(`${err.stdout ?? ''}${err.stderr ?? ''}`, 30)}`);
  }
}

function tail(file: string, lines: number): string {
  return existsSync(file) ? lastLines(readFileSync(file, 'utf8').slice(-64 * 1024), lines) : '';
}

function lastLines(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
