import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { heraldHome, repoRoot, sleep } from '../infra/paths';
import { envFor, portOf, ServiceSpec, SERVICES, servicesOf, StackSettings } from './services';

export interface RunningService {
  spec: ServiceSpec;
  process: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

/** The built entry point of a service: dist/, or the folder HERALD_DIST names (relative to the repository). */
export function entryOf(name: string): string {
  return join(repoRoot(), process.env['HERALD_DIST'] ?? 'dist', 'apps', name, 'src', 'main.js');
}

/** How long the supervisor waits before starting again a service that exited on its own. */
const RESTART_DELAY_MS = 1_000;

/**
 * Starts and stops Herald's services as separate OS processes (the way they run in production:
 * one process per service), each logging to .herald/logs/<name>.log. Like an orchestrator's
 * restart policy, a service that exits on its own after it was ready (e.g. a Kafka consumer that
 * gave up on a non-retriable error exits for a clean restart) is started again; one stopped
 * through `stop` is not, and one that never became ready is left down (a configuration error).
 */
export class Supervisor {
  readonly running = new Map<string, RunningService>();
  private readonly ready = new Set<string>();
  private readonly stopping = new Set<string>();

  constructor(
    readonly settings: StackSettings,
    private readonly options: { detached?: boolean; logDir?: string } = {},
  ) {}

  get logDir(): string {
    return this.options.logDir ?? join(heraldHome(), 'logs');
  }

  start(name: string): RunningService {
    const spec = SERVICES.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown service ${name}`);
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    mkdirSync(this.logDir, { recursive: true });
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const argv = spec.script ? [join(repoRoot(), spec.script.path), ...spec.script.args(portOf(this.settings, name))] : ['--enable-source-maps', entryOf(name)];
    const child = spawn(process.execPath, argv, {
      cwd: repoRoot(),
      env: { ...process.env, ...envFor(this.settings, spec) },
      stdio: ['ignore', fd, fd],
      detached: this.options.detached ?? false,
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    const service = { spec, process: child, logFile, exited };
    this.running.set(name, service);
    void exited.then((code) => {
      if (this.running.get(name) !== service) return;
      this.running.delete(name);
      if (this.options.detached || this.stopping.has(name) || !this.ready.has(name)) return;
      this.ready.delete(name);
      setTimeout(() => {
        if (this.stopping.has(name) || this.running.has(name)) return;
        process.stderr.write(`supervisor: ${name} exited (${code}) on its own; starting it again\n`);
        this.start(name);
        void this.waitReady(name).catch(() => undefined);
      }, RESTART_DELAY_MS);
    });
    if (this.options.detached) child.unref();
    return service;
  }

  /**
   * Waits until the service answers its readiness check (or fails, pointing at its log).
   * HERALD_READY_TIMEOUT_MS (default 60 s) gives a busy machine longer: ten processes booting at
   * once on two shared cores can take well over a minute.
   */
  async waitReady(name: string, timeoutMs = Number(process.env['HERALD_READY_TIMEOUT_MS'] ?? 60_000)): Promise<void> {
    const spec = SERVICES.find((s) => s.name === name)!;
    const url = `http://127.0.0.1:${portOf(this.settings, name)}${spec.readyPath}`;
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const svc = this.running.get(name);
      if (!this.options.detached && !svc) throw new Error(`${name} exited before it was ready; see ${join(this.logDir, `${name}.log`)}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) {
          this.ready.add(name);
          return;
        }
        last = `${res.status} ${await res.text()}`;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(200);
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms (${last}); see ${join(this.logDir, `${name}.log`)}`);
  }

  async startAll(names = servicesOf(this.settings), readyTimeoutMs?: number): Promise<void> {
    // The first service migrates its schema while the others start: all start together.
    for (const name of names) this.start(name);
    await Promise.all(names.map((n) => this.waitReady(n, readyTimeoutMs)));
  }

  /** SIGTERM (graceful: in-flight work drains) or SIGKILL (a crash). */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
    const svc = this.running.get(name);
    if (!svc) return;
    this.stopping.add(name);
    try {
      svc.process.kill(signal);
      const timer = setTimeout(() => svc.process.kill('SIGKILL'), timeoutMs);
      await svc.exited;
      clearTimeout(timer);
      this.running.delete(name);
      this.ready.delete(name);
    } finally {
      this.stopping.delete(name);
    }
  }

  async restart(name: string): Promise<void> {
    await this.stop(name);
    this.start(name);
    await this.waitReady(name);
  }

  async stopAll(): Promise<void> {
    for (const name of SERVICES.map((s) => s.name)) this.stopping.add(name);
    // Entry first, provider emulators last: upstream stops before what it depends on.
    const emulators = ['sms-simulator', 'ses-emulator'];
    const order = [...this.running.keys()].sort((a, b) => (a === 'edge' ? -1 : b === 'edge' ? 1 : 0));
    const rest = order.filter((n) => !emulators.includes(n));
    await Promise.all(rest.map((n) => this.stop(n)));
    await Promise.all(emulators.map((n) => this.stop(n)));
  }
}
