import { Divisions } from '@herald/auth';
import { batchPool } from '@herald/bulk';
import { DispatcherService } from '../dispatch/dispatcher.service';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, NotFoundError } from '@herald/service';
import { stringify } from 'csv-stringify/sync';
import type Piscina from 'piscina';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { ContactListsService } from '../contact-lists/contact-lists.service';
import { csvParser, neutralizeCell, RowBatches, RowNumbers, rowValidatorFor, UploadGuard } from './csv-rows';
import { checkRowsMoved, ImportTarget, rawRow, RowProblem, RowsBatch, RowsResult } from './row-batch';
import { Upload } from './upload';
import { joinRuns } from '../audience/audience';

export const IMPORT_SETTINGS = Symbol('IMPORT_SETTINGS');
export interface ImportSettings {
  maxBytes: number;
  /**
   * Accepted rows staged and merged at a time (CONTACT_IMPORT_CHUNK_ROWS): Postgres copies and
   * merges one chunk while Node reads and checks the next (at most two chunks in memory).
   */
  chunkRows: number;
  /** Worker threads checking an import's rows while the main thread parses the CSV (CONTACT_IMPORT_THREADS). */
  threads: number;
}

/** Rejection rows kept per import (the counts stay exact past it). */
export const MAX_STORED_REJECTIONS = 10_000;
/** Data rows checked at a time by a thread, at most (and at most CONTACT_IMPORT_CHUNK_ROWS: a chunk stays near its size). */
const BATCH_ROWS = 4_000;
/**
 * Characters of cells checked at a time by a thread, at most: the batch's string of cells (and
 * its array of cell lengths) stay below V8's large-object size (128 KiB), so they die young.
 * Large objects, and anything promoted to the old space, wait for a full collection, and the
 * import hardly triggers one: 4,000-row batches (~380,000 characters here) piled up ~45 MiB of
 * dead strings per million rows.
 */
const BATCH_CHARS = 60_000;
const PROGRESS_EVERY_MS = 500;
const HEARTBEAT_MS = 10_000;

type ImportState = 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';

interface ImportRow {
  id: string;
  list_id: string;
  state: ImportState;
  contact_id_column: string | null;
  rows_read: string;
  imported: string;
  rejected: string;
  bytes: string;
  total_bytes: string | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  error_code: string | null;
}

interface Rejection {
  row: number;
  column: string | null;
  reason: string;
  raw: string;
}

/** Genesys `ImportStatus`, plus Herald's `rejectedRecords`. */
export interface ImportStatus {
  state: ImportState;
  totalRecords: number;
  completedRecords: number;
  percentComplete: number;
  failureReason?: string;
  rejectedRecords: number;
}

/**
 * Streamed CSV import into a contact list: bytes → guard (size, text) → csv-parse → row checks in
 * batches on worker threads (RowBatches, results in file order) → chunks of accepted rows
 * (ImportSettings.chunkRows), each COPYed into an unlogged staging table and merged into
 * contacts.contact while the next chunk is read (pipelined: Node and Postgres work at the same
 * time). Everything happens in one transaction, committed once the whole file was read and
 * accepted, so a refused file (too large, not CSV, bad header, read error) leaves the list as it was.
 */
@Injectable()
export class ImportsService implements OnModuleDestroy {
  private readonly logger = new Logger(ImportsService.name);
  /** The row check (libphonenumber-js: the largest cost per row) runs on these threads while this one parses the CSV. */
  private readonly pool: Piscina<RowsBatch, RowsResult>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: ContactListsService,
    private readonly dispatcher: DispatcherService,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {
    this.pool = batchPool(require.resolve('./row-batch'), checkRowsMoved.name, settings.threads);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  /**
   * Imports one uploaded file. `heartbeat` is called every few seconds while the merge runs (no
   * bytes flow then): the controller answers `102 Processing`, which keeps proxies in front (the
   * edge's 30 s upstream timeout) from giving up on a long merge.
   */
  async importCsv(listId: string, upload: Upload, divisions: Divisions, heartbeat?: () => void) {
    let list;
    try {
      list = await this.lists.get(listId, divisions);
      const idColumn = upload.contactIdColumn;
      if (idColumn !== undefined && !list.columnNames.includes(idColumn)) {
        throw new DomainError('import.contact.id.column.unknown', `contactIdColumn "${idColumn}" is not one of the list's columns`, 400, [{ column: idColumn }]);
      }
    } catch (e) {
      await upload.discard();
      throw e;
    }
    const importId = randomUUID();
    await this.db.query(`INSERT INTO contacts.contact_import (id, list_id, state, contact_id_column, total_bytes) VALUES ($1, $2, 'IN_PROGRESS', $3, $4)`, [
      importId,
      listId,
      upload.contactIdColumn ?? null,
      upload.declaredBytes ?? null,
    ]);
    this.logger.log({ msg: 'import started', importId, listId, declaredBytes: upload.declaredBytes });
    const run = new ImportRun(this.db, importId, listId);
    run.contactIdColumn = upload.contactIdColumn ?? null;
    const queryRunner = this.db.createQueryRunner();
    const client = (await queryRunner.connect()) as PoolClient;
    let inTransaction = false;
    try {
      await client.query('BEGIN');
      inTransaction = true;
      // One import into a list at a time (a second one would fight over the same rows).
      const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 20251127)) AS ok', [listId]);
      if (!locked[0]?.ok) throw new DomainError('import.in.progress', `another import into contact list ${listId} is in progress; try again when it has finished`, 409);
      // The staging tables: unlogged (shared buffers, no WAL) rather than temporary (temp_buffers
      // is 8 MB), created in the import's transaction so that a failed import leaves none behind.
      // `chunk` holds the chunk being merged; `seen` each contact id of the file once, with the
      // row that was imported for it (the first). Their ids are only compared for equality, so in
      // byte order (COLLATE "C"): the seen-ids key and the joins skip the locale's strcoll
      // (C.UTF-8 here is not treated as "C"). Against contacts.contact's ids, "C" wins over the
      // default collation, with the same answer for equality.
      await client.query(`CREATE UNLOGGED TABLE ${run.chunk} (row_number bigint NOT NULL, id text COLLATE "C" NOT NULL, data jsonb NOT NULL)`);
      await client.query(`CREATE UNLOGGED TABLE ${run.seen} (id text COLLATE "C" PRIMARY KEY, row_number bigint NOT NULL)`);
      const t0 = Date.now();
      await this.load(client, list, upload, run);
      await upload.finished();
      const t1 = Date.now();
      const beat = heartbeat ? setInterval(heartbeat, HEARTBEAT_MS) : undefined;
      try {
        await this.finishMerge(client, list.id, list.version, run);
        await client.query('COMMIT');
        await this.dispatcher.announceAudience(list.id);
      } finally {
        clearInterval(beat);
      }
      run.timings = { loadMs: t1 - t0, mergeMs: Date.now() - t1 };
      inTransaction = false;
      await run.finish('SUCCEEDED');
      this.logger.log({ msg: 'import succeeded', importId, listId, rows: run.rowsRead, imported: run.imported, rejected: run.rejected, bytes: run.bytes, ...run.timings });
    } catch (e) {
      if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
      upload.file.unpipe();
      await upload.discard();
      const known = e instanceof DomainError;
      if (!known) this.logger.error({ msg: 'import failed', importId, listId, err: (e as Error)?.message, stack: (e as Error)?.stack });
      else this.logger.warn({ msg: 'import refused', importId, listId, code: e.code });
      await run.flush().catch(() => undefined);
      await run.finish('FAILED', known ? e.message : 'the import failed on a server error; nothing was imported', known ? e.code : 'internal.server.error').catch(() => undefined);
      if (known) throw new DomainError(e.code, e.message, e.status, [...e.details, { importId }]);
      throw e;
    } finally {
      queryRunner.release().catch(() => undefined);
    }
    return this.resource(await this.row(listId, importId));
  }

  /**
   * Reads the file, checks its rows on the worker threads and hands the accepted ones, about
   * chunkRows at a time, to a ChunkMerge (Postgres stores one chunk while Node checks the next;
   * backpressure all the way back to the upload).
   */
  private async load(client: PoolClient, list: Awaited<ReturnType<ContactListsService['get']>>, upload: Upload, run: ImportRun): Promise<void> {
    const guard = new UploadGuard(this.settings.maxBytes);
    // Row numbers as a spreadsheet shows the file (RowNumbers).
    const numbers = new RowNumbers((row, reason) => {
      run.rowsRead++;
      run.reject(row, [{ column: null, reason }], '');
    });
    const parser = csvParser(numbers);
    upload.file.on('error', (e) => guard.destroy(e));
    guard.on('error', (e) => parser.destroy(e));
    upload.file.pipe(guard).pipe(parser);
    const progress = setInterval(() => {
      run.bytes = guard.bytes;
      run.progress();
    }, PROGRESS_EVERY_MS);

    // The buffers of COPY lines of merged chunks, sent back to the threads to be written again:
    // the process then holds only the buffers in use, instead of each batch's buffer until V8
    // collects it (up to ~64 MiB of them: V8 collects for external memory only past that).
    const spares: ArrayBuffer[] = [];
    const merge = new ChunkMerge(client, list.id, run, (copied) => spares.push(...copied.map((b) => b.buffer)));
    const target: ImportTarget = {
      columnNames: list.columnNames,
      phoneColumns: list.phoneColumns.map((c) => ({ columnName: c.columnName })),
      emailColumns: list.emailColumns.map((c) => ({ columnName: c.columnName })),
      defaultRegion: list.defaultRegion,
      trimWhitespace: list.trimWhitespace,
    };
    // The accepted rows' COPY bytes, batch by batch, until a chunk's worth is merged.
    let pieces: Buffer<ArrayBuffer>[] = [];
    let rows = 0;
    const take = async (result: RowsResult) => {
      run.imported += result.accepted;
      for (const r of result.rejected) run.reject(r.row, r.problems, r.raw);
      if (!result.accepted) {
        spares.push(result.copy.buffer); // nothing to COPY: the buffer can be written again at once
        return;
      }
      pieces.push(Buffer.from(result.copy.buffer, result.copy.byteOffset, result.copy.byteLength));
      rows += result.accepted;
      if (rows >= this.settings.chunkRows) {
        const chunk = pieces;
        const chunkRows = rows;
        pieces = [];
        rows = 0;
        await merge.push(chunk, chunkRows);
      }
    };
    const batches = new RowBatches({
      header: (header) => {
        const validator = rowValidatorFor(target, header, upload.contactIdColumn);
        run.columns = validator.columns;
        return { list: target, columns: validator.columns, contactIdColumn: upload.contactIdColumn };
      },
      check: (batch) => {
        // The COPY lines come back in a buffer that a merged chunk handed back, when there is one.
        const spare = spares.pop();
        const transferList = [batch.cellLengths.buffer, batch.widths.buffer, batch.rows.buffer, ...(spare ? [spare] : [])];
        return this.pool.run({ ...batch, spare }, { transferList });
      },
      take,
      batchRows: Math.min(BATCH_ROWS, this.settings.chunkRows),
      batchChars: BATCH_CHARS,
      // Six batches per thread (~4,000 rows in all, at ~60,000 characters a batch): enough checked ahead
      // that neither the threads nor the parsing waits on the other. A waiting batch is a few
      // typed arrays and a string: little memory (BENCHMARKS.md, contact import memory).
      inFlight: 6 * this.settings.threads,
      numbers,
      read: () => run.rowsRead++,
    });
    try {
      await pipeline(parser, batches);
      if (!batches.started) throw new DomainError('import.empty', 'the file is empty: it needs a header row naming the columns', 400);
      if (rows) await merge.push(pieces, rows);
      await merge.settled();
      run.bytes = guard.bytes;
      await run.flush();
    } catch (e) {
      await batches.settled(); // no chunk is pushed after this
      await merge.settled().catch(() => undefined); // the connection is free again for the ROLLBACK
      throw e;
    } finally {
      clearInterval(progress);
    }
  }

  /**
   * Once the whole file was read and merged, in the same transaction: the list must still be the
   * one the rows were checked against; runs in progress on the list get the new contacts.
   */
  private async finishMerge(client: PoolClient, listId: string, version: number, run: ImportRun): Promise<void> {
    const { rows: current } = await client.query<{ version: number }>('SELECT version FROM contacts.contact_list WHERE id = $1 FOR SHARE', [listId]);
    if (!current[0]) throw new NotFoundError('contact.list', listId);
    if (current[0].version !== version) {
      throw new DomainError('import.list.changed', 'the contact list was changed while the file was imported; nothing was imported, send the file again', 409);
    }
    // As POST …/contacts does: imported contacts join the audience of runs in progress on this list.
    await joinRuns((text, params) => client.query(text, params).then((r) => r.rows), listId, { stage: run.seen });
    await client.query(`DROP TABLE ${run.chunk}, ${run.seen}`);
  }

  async get(listId: string, importId: string, divisions: Divisions) {
    await this.lists.get(listId, divisions);
    return this.resource(await this.row(listId, importId));
  }

  /** The latest import of a list as Genesys `ImportStatus` (undefined if it never had one). */
  async latestStatus(listId: string): Promise<ImportStatus | undefined> {
    const [row] = await this.db.query(`SELECT * FROM contacts.contact_import WHERE list_id = $1 ORDER BY started_at DESC, id LIMIT 1`, [listId]);
    return row ? statusOf(row) : undefined;
  }

  /** The rejected rows as CSV (cells neutralised against CSV injection), streamed page by page. */
  async rejectionsCsv(listId: string, importId: string, divisions: Divisions): Promise<Readable> {
    await this.lists.get(listId, divisions);
    await this.row(listId, importId);
    const db = this.db;
    async function* lines() {
      yield stringify([['rowNumber', 'column', 'reason', 'raw']]);
      let after = { row: -1, seq: -1 };
      for (;;) {
        const page: { seq: number; row_number: string; column: string | null; reason: string; raw: string }[] = await db.query(
          `SELECT seq, row_number, "column", reason, raw FROM contacts.contact_import_rejection WHERE import_id = $1 AND (row_number, seq) > ($2, $3) ORDER BY row_number, seq LIMIT 1000`,
          [importId, after.row, after.seq],
        );
        if (!page.length) return;
        yield stringify(page.map((r) => [r.row_number, neutralizeCell(r.column ?? ''), neutralizeCell(r.reason), neutralizeCell(r.raw)]));
        const last = page[page.length - 1]!;
        after = { row: Number(last.row_number), seq: last.seq };
      }
    }
    return Readable.from(lines());
  }

  private async row(listId: string, importId: string): Promise<ImportRow> {
    const [row] = await this.db.query(`SELECT * FROM contacts.contact_import WHERE id = $1 AND list_id = $2`, [importId, listId]);
    if (!row) throw new NotFoundError('contact.list.import', importId);
    return row;
  }

  private resource(row: ImportRow) {
    const base = `/api/v2/outbound/contactlists/${row.list_id}/imports/${row.id}`;
    return {
      id: row.id,
      contactList: { id: row.list_id, selfUri: `/api/v2/outbound/contactlists/${row.list_id}` },
      contactIdColumn: row.contact_id_column ?? undefined,
      importStatus: statusOf(row),
      rowsRead: Number(row.rows_read),
      importedRecords: Number(row.imported),
      rejectedRecords: Number(row.rejected),
      bytesRead: Number(row.bytes),
      dateStarted: row.started_at.toISOString(),
      dateFinished: row.finished_at?.toISOString(),
      failureCode: row.error_code ?? undefined,
      rejectionsUri: `${base}/rejections.csv`,
      selfUri: base,
    };
  }
}

function statusOf(row: ImportRow): ImportStatus {
  const total = Number(row.rows_read);
  const imported = Number(row.imported);
  const rejected = Number(row.rejected);
  const declared = row.total_bytes ? Number(row.total_bytes) : 0;
  const percent = row.state === 'SUCCEEDED' ? 100 : row.state === 'IN_PROGRESS' && declared > 0 ? Math.min(99, Math.floor((Number(row.bytes) * 100) / declared)) : 0;
  return {
    state: row.state,
    totalRecords: total,
    completedRecords: imported,
    percentComplete: percent,
    failureReason: row.error ?? undefined,
    rejectedRecords: rejected,
  };
}

/**
 * Stages and merges the accepted rows of an import chunk by chunk, one chunk at a time on the
 * import's connection, while the caller prepares the next one. Each chunk is COPYed into the
 * chunk table, then merged in one statement: its contact ids not seen earlier in the file go into
 * `seen` (in row order, so the first row of an id wins), and exactly those rows are upserted into
 * contacts.contact (unchanged contacts are not rewritten: a re-import of the same file writes
 * nothing). The other rows are later duplicates of an id: rejected, naming the imported row.
 */
class ChunkMerge {
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: PoolClient,
    private readonly listId: string,
    private readonly run: ImportRun,
    /** Given each chunk's buffers once they were COPYed (the buffers can be written again). */
    private readonly copied: (buffers: Buffer<ArrayBuffer>[]) => void,
  ) {}

  /** Waits for the chunk in flight (it fails the import if that one failed), then starts this one. */
  async push(copyText: Buffer<ArrayBuffer>[], rows: number): Promise<void> {
    await this.busy;
    this.busy = this.merge(copyText, rows);
    this.busy.catch(() => undefined);
  }

  /** Resolves once the last chunk pushed was merged; rejects if it failed. */
  settled(): Promise<void> {
    return this.busy;
  }

  private async merge(copyText: Buffer<ArrayBuffer>[], rows: number): Promise<void> {
    const { client, run } = this;
    const copy = client.query(copyFrom(`COPY ${run.chunk} (row_number, id, data) FROM STDIN`));
    for (const piece of copyText) copy.write(piece);
    copy.end();
    await finished(copy); // Postgres has had every byte (the copy stream finishes on its ReadyForQuery)
    this.copied(copyText);
    let fresh: number;
    try {
      const { rows: merged } = await client.query<{ fresh: number }>(
        `WITH fresh AS (
           INSERT INTO ${run.seen} (id, row_number) SELECT id, row_number FROM ${run.chunk} ORDER BY row_number
           ON CONFLICT (id) DO NOTHING RETURNING row_number
         ), merged AS (
           INSERT INTO contacts.contact (list_id, id, data) SELECT $1, c.id, c.data FROM ${run.chunk} c JOIN fresh USING (row_number)
           ON CONFLICT (list_id, id) DO UPDATE SET data = EXCLUDED.data WHERE contacts.contact.data IS DISTINCT FROM EXCLUDED.data
         )
         SELECT count(*)::int AS fresh FROM fresh`,
        [this.listId],
      );
      fresh = merged[0]!.fresh;
    } catch (e) {
      // The list was deleted while its file was imported.
      if ((e as { code?: string }).code === '23503') throw new NotFoundError('contact.list', this.listId);
      throw e;
    }
    if (fresh < rows) await this.rejectDuplicates(rows - fresh);
    await client.query(`TRUNCATE ${run.chunk}`);
  }

  /** The chunk's rows whose contact id came earlier in the file (that earlier row was imported). */
  private async rejectDuplicates(count: number): Promise<void> {
    const { client, run } = this;
    const { rows: later } = await client.query<{ row_number: string; first_row: string; data: Record<string, string> }>(
      `SELECT c.row_number, s.row_number AS first_row, c.data FROM ${run.chunk} c JOIN ${run.seen} s USING (id)
        WHERE c.row_number > s.row_number ORDER BY c.row_number LIMIT $1`,
      [Math.min(count, MAX_STORED_REJECTIONS)],
    );
    for (const l of later) {
      const raw = rawRow(run.columns.map((c) => l.data[c] ?? ''));
      run.store(Number(l.row_number), [{ column: run.contactIdColumn, reason: `duplicate contact id: the same id is on row ${l.first_row}, which was imported` }], raw);
    }
    run.imported -= count;
    run.rejected += count;
  }
}

/** The counters and rejections of one import, written to contacts.contact_import as it goes (outside the import's transaction). */
class ImportRun {
  rowsRead = 0;
  imported = 0;
  rejected = 0;
  bytes = 0;
  contactIdColumn: string | null = null;
  /** The file's columns, in header order. */
  columns: string[] = [];
  /** Where the time went: reading, checking and merging chunk by chunk; then the last checks and the commit. */
  timings: { loadMs: number; mergeMs: number } | undefined;
  /** This import's staging tables (see importCsv). */
  readonly chunk: string;
  readonly seen: string;
  private stored = 0;
  private pending: (Rejection & { seq: number })[] = [];
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    readonly importId: string,
    readonly listId: string,
  ) {
    const suffix = importId.replace(/-/g, '');
    this.chunk = `contacts.import_chunk_${suffix}`;
    this.seen = `contacts.import_seen_${suffix}`;
  }

  /** A rejected data row: counted, and its problems stored while under the cap. */
  reject(row: number, problems: RowProblem[], raw: string): void {
    this.rejected++;
    this.store(row, problems, raw);
  }

  /** Stores a row's problems while under the cap (counting is the caller's). */
  store(row: number, problems: RowProblem[], raw: string): void {
    for (const p of problems) {
      if (this.stored >= MAX_STORED_REJECTIONS) return;
      this.pending.push({ seq: ++this.stored, row, column: p.column, reason: p.reason, raw });
    }
    if (this.pending.length >= 500) this.write();
  }

  private write(): void {
    const batch = this.pending;
    this.pending = [];
    const counts = [this.rowsRead, this.imported, this.rejected, this.bytes];
    this.writes = this.writes.then(async () => {
      if (batch.length) {
        await this.db.query(
          `INSERT INTO contacts.contact_import_rejection (import_id, seq, row_number, "column", reason, raw)
           SELECT $1, x.seq, x.row, x.column, x.reason, x.raw FROM jsonb_to_recordset($2::jsonb) AS x(seq int, row bigint, "column" text, reason text, raw text)
           ON CONFLICT DO NOTHING`,
          [this.importId, JSON.stringify(batch)],
        );
      }
      await this.db.query(`UPDATE contacts.contact_import SET rows_read = $2, imported = $3, rejected = $4, bytes = $5 WHERE id = $1 AND state = 'IN_PROGRESS'`, [
        this.importId,
        ...counts,
      ]);
    });
    this.writes.catch(() => undefined);
  }

  /** Live progress (called on a timer while the file streams). */
  progress(): void {
    this.write();
  }

  async flush(): Promise<void> {
    this.write();
    await this.writes;
  }

  async finish(state: 'SUCCEEDED' | 'FAILED', error?: string, code?: string): Promise<void> {
    await this.writes.catch(() => undefined);
    await this.db.query(
      `UPDATE contacts.contact_import SET state = $2, rows_read = $3, imported = $4, rejected = $5, bytes = $6, finished_at = now(), error = $7, error_code = $8 WHERE id = $1`,
      [this.importId, state, this.rowsRead, state === 'SUCCEEDED' ? this.imported : 0, this.rejected, this.bytes, error ?? null, code ?? null],
    );
  }
}
