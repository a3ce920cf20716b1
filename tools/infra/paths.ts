import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The monorepo root, found by walking up: this code runs both from tools/infra (Jest, ts) and
 * from dist/tools/infra (built), so a fixed relative path would be right in only one of them.
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the Herald repository root (nx.json) above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** Where local infrastructure keeps its state: `.herald/` at the repo root unless HERALD_HOME says otherwise. */
export function heraldHome(): string {
  return resolve(process.env.HERALD_HOME || join(repoRoot(), '.herald'));
}

/** Brokers for clients of the local broker: KAFKA_BROKERS (comma-separated), else KAFKA_HOST:KAFKA_PORT. */
export function defaultBrokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean);
  return [`${process.env.KAFKA_HOST || '127.0.0.1'}:${process.env.KAFKA_PORT || '9092'}`];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
