import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { heraldHome } from '../infra/paths';
import { dropDatabase } from '../infra/postgres';
import { deleteTopics, ensureTopics } from '../infra/topics';
import { StackSettings } from './services';
import { Supervisor } from './supervisor';

export interface IsolatedStackOptions {
  /** Names the namespace: topics `<name>-<id>.…`, database `herald_<name>_<id>`, logs `.herald/logs/<name>-<id>/`. */
  name: string;
  brokers: string[];
  portBase: number;
  /** The URL of a database of the given name; default the local server. */
  databaseUrl?: (database: string) => string;
  logLevel?: string;
  extraEnv?: StackSettings['extraEnv'];
  /** Which services to start; default all. */
  services?: string[];
  /** Whether the provider stand-ins publish delivery events (StackSettings.providerEvents); default off. */
  providerEvents?: boolean;
  /** How long each service may take to become ready (default the supervisor's 60 s). */
  readyTimeoutMs?: number;
}

export interface IsolatedStack {
  id: string;
  settings: StackSettings;
  supervisor: Supervisor;
  /** Stops the services, deletes the namespace's topics and drops its database. */
  close(): Promise<void>;
}

/**
 * Herald's services on a topic namespace and a database of their own, beside anything else on
 * the same broker and server: what tests and benchmarks run against.
 */
export async function startIsolatedStack(options: IsolatedStackOptions): Promise<IsolatedStack> {
  const id = randomUUID().slice(0, 8);
  const database = `herald_${options.name.replace(/-/g, '_')}_${id}`;
  const settings: StackSettings = {
    portBase: options.portBase,
    databaseUrl: options.databaseUrl?.(database) ?? `postgres://postgres@127.0.0.1:5432/${database}`,
    brokers: options.brokers,
    topicPrefix: `${options.name}-${id}.`,
    logLevel: options.logLevel ?? 'warn',
    // A bootstrap client of its own: nothing outside this process knows the secret.
    bootstrapClient: { id: `${options.name}-admin-${id}`, secret: randomBytes(24).toString('base64url') },
    extraEnv: options.extraEnv,
    providerEvents: options.providerEvents ?? false,
  };
  const supervisor = new Supervisor(settings, { logDir: join(heraldHome(), 'logs', `${options.name}-${id}`) });
  const close = async () => {
    await supervisor.stopAll();
    await deleteTopics({ brokers: settings.brokers, prefix: settings.topicPrefix }).catch(() => undefined);
    await dropDatabase(settings.databaseUrl).catch(() => undefined);
  };
  try {
    await ensureTopics({ brokers: settings.brokers, prefix: settings.topicPrefix });
    await supervisor.startAll(options.services, options.readyTimeoutMs);
  } catch (e) {
    await close();
    throw e;
  }
  return { id, settings, supervisor, close };
}
