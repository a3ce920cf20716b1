import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { lockEntries } from './dnc-lists.service';

/** COPY bytes waiting here while a merge runs: the upload goes on meanwhile (~600k rows). */
const WAITING_BYTES = 16 * 1024 * 1024;
const UNIQUE_VIOLATION = '23505';

/** The staged rows, one per address, each keeping its last row in the file (the expiry of a repeated address is the last one's). */
const DISTINCT_STAGED = 'SELECT DISTINCT ON (address) $1::uuid, address, expires_at FROM dnc_stage ORDER BY address, row_no DESC';
const INSERT = `INSERT INTO dnc.dnc_entry (list_id, address, expires_at) ${DISTINCT_STAGED}`;
const UPSERT = `${INSERT}
  ON CONFLICT (list_id, address) DO UPDATE SET expires_at = EXCLUDED.expires_at
    WHERE dnc.dnc_entry.expires_at IS DISTINCT FROM EXCLUDED.expires_at`;

/**
 * Where an import's COPY lines go, inside the import's transaction (on `client`, which has begun
 * it): `COPY` into a temporary stage, merged into the list every `mergeBytes` and at the end, so
 * that the database inserts one part while the next is parsed and validated (the lines written
 * meanwhile wait in this stream, up to WAITING_BYTES, and the upload goes on).
 *
 * The first merge takes the list's entry lock (held until the transaction ends) and looks at the
 * list: an empty list (a first load) takes plain INSERTs, about half the database's work of an
 * upsert (BENCHMARKS.md, "DNC CSV load"). A later part repeating an address of an earlier one makes
 * its INSERT fail; that part alone is then rolled back to its savepoint and upserted. A list with
 * entries is upserted throughout. Either way, a repeated address keeps the expiry of its last row.
 */
export class DncImportStage extends Writable {
  private copy: Writable | undefined;
  private staged = 0;
  /** Decided by the first merge: the list was empty, so INSERT, and upsert only a part that repeats an address. */
  private firstLoad: boolean | undefined;

  constructor(
    private readonly client: PoolClient,
    private readonly listId: string,
    private readonly mergeBytes: number,
  ) {
    super({ highWaterMark: WAITING_BYTES });
  }

  /** Creates the stage; call once the transaction has begun. */
  static async create(client: PoolClient, listId: string, mergeBytes: number): Promise<DncImportStage> {
    await client.query('CREATE TEMP TABLE dnc_stage (row_no bigint NOT NULL, address text COLLATE "C" NOT NULL, expires_at timestamptz) ON COMMIT DROP');
    await client.query(`SET LOCAL work_mem = '256MB'`);
    return new DncImportStage(client, listId, mergeBytes);
  }

  override _write(lines: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.copy) {
      this.copy = this.client.query(copyFrom('COPY dnc_stage (row_no, address, expires_at) FROM STDIN'));
      this.copy.on('error', (e) => this.destroy(e));
    }
    this.staged += lines.length;
    const next = () => (this.staged >= this.mergeBytes ? this.merge().then(() => done(), done) : done());
    if (this.copy.write(lines)) next();
    else this.copy.once('drain', next);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.merge().then(() => done(), done);
  }

  /** Ends the COPY in progress and moves the staged rows into the list. */
  private async merge(): Promise<void> {
    const copy = this.copy;
    if (!copy) return;
    this.copy = undefined;
    this.staged = 0;
    copy.end();
    await finished(copy);
    if (this.firstLoad === undefined) {
      await lockEntries(this.client, this.listId);
      const { rowCount } = await this.client.query('SELECT 1 FROM dnc.dnc_entry WHERE list_id = $1 LIMIT 1', [this.listId]);
      this.firstLoad = !rowCount;
    }
    if (!this.firstLoad || !(await this.insertedWhole())) await this.client.query(UPSERT, [this.listId]);
    await this.client.query('TRUNCATE dnc_stage');
  }

  /** INSERTs the staged part; false (and nothing of it stored) when it repeats an address already merged. */
  private async insertedWhole(): Promise<boolean> {
    await this.client.query('SAVEPOINT dnc_part');
    try {
      await this.client.query(INSERT, [this.listId]);
    } catch (e) {
      if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
      await this.client.query('ROLLBACK TO SAVEPOINT dnc_part');
      return false;
    }
    await this.client.query('RELEASE SAVEPOINT dnc_part');
    return true;
  }
}
