// The database Herald's services use, on the machine's PostgreSQL (or any DATABASE_URL).
// CREATE/DROP DATABASE cannot run inside the target database, so both connect to the
// server's `postgres` maintenance database with the same credentials.
import { Client } from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/herald';

export function databaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** Creates the database named in the URL if it does not exist; true if it was created. */
export async function ensureDatabase(url = databaseUrl()): Promise<boolean> {
  const { name, maintenanceUrl } = parse(url);
  return withClient(maintenanceUrl, async (db) => {
    const { rowCount } = await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await db.query(`CREATE DATABASE ${ident(name)}`);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === '42P04') return false; // created concurrently by another caller
      throw e;
    }
  });
}

/**
 * Drops the database named in the URL, if it exists, for test cleanup. WITH (FORCE) terminates
 * its connections first (PostgreSQL 13+): a service's pool would otherwise block the drop, and
 * terminating them in a separate statement leaves a window for a pool to reconnect.
 */
export async function dropDatabase(url = databaseUrl()): Promise<void> {
  const { name, maintenanceUrl } = parse(url);
  if (name === 'postgres' || name.startsWith('template')) throw new Error(`refusing to drop the system database ${name}`);
  await withClient(maintenanceUrl, (db) => db.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

export async function databaseExists(url = databaseUrl()): Promise<boolean> {
  const { name, maintenanceUrl } = parse(url);
  return withClient(maintenanceUrl, async (db) => {
    const { rowCount } = await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return !!rowCount;
  });
}

function parse(url: string): { name: string; maintenanceUrl: string } {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`${redact(url)} names no database`);
  u.pathname = '/postgres';
  return { name, maintenanceUrl: u.toString() };
}

async function withClient<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  try {
    await db.connect();
  } catch (e) {
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${(e as Error).message}`);
  }
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
