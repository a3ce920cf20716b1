import { Divisions } from '@herald/auth';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { batchPool, OrderedBatches } from '@herald/bulk';
import { DomainError } from '@herald/service';
import busboy from 'busboy';
import { CsvError, parse } from 'csv-parse';
import type Piscina from 'piscina';
import type { IncomingMessage } from 'node:http';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { DncListEntity, ImportRejection, ImportStatus } from './dnc-list.entity';
import { entryRows, entryRowsMoved, MAX_REJECTIONS_KEPT, RowsBatch, RowsResult } from './dnc-rows';
import { DncImportStage } from './dnc-import-stage';
import { DncListsService, importStatusOf } from './dnc-lists.service';

export const DNC_IMPORT_SETTINGS = Symbol('DNC_IMPORT_SETTINGS');
export interface DncImportSettings {
  /** Largest upload accepted, in bytes (DNC_MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  /** How long POST …/imports waits for the import to be committed before answering 202. */
  waitMs: number;
  /** Worker threads validating an import's rows (DNC_IMPORT_THREADS). */
  threads: number;
  /** COPY bytes staged before they are merged into the list (DNC_IMPORT_MERGE_BYTES). */
  mergeBytes: number;
}

const PROGRESS_EVERY_MS = 1_000;
/** CSV records per batch validated at once (~100 KB of COPY lines out). */
const BATCH_ROWS = 4_000;
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel', 'application/octet-stream']);
const ADDRESS_HEADERS = new Set(['phone', 'phonenumber', 'phonenumbers', 'number', 'email', 'emailaddress', 'emailaddresses', 'address']);
const EXPIRY_HEADERS = new Set(['expirationdatetime', 'expiration', 'expirationdate', 'expires', 'expiresat', 'expiry', 'expirydate']);

const headerName = (cell: string | undefined) => (cell ?? '').toLowerCase().replace(/[^a-z]/g, '');

export interface ImportCounts {
  total: number;
  completed: number;
  rejected: number;
  rejections: ImportRejection[];
}

/** Validates a batch of records: `entryRows` itself, or a thread pool running it. */
export type ValidateRows = (batch: RowsBatch) => RowsResult | Promise<RowsResult>;

/**
 * Turns CSV records into lines for `COPY … FROM STDIN` (see entryRows), in batches of BATCH_ROWS
 * records. Up to `inFlight` batches are validated at once (by a thread pool); their results are
 * taken in the file's order as soon as each is there (OrderedBatches), so counts, the first
 * rejections kept and the output are the same whatever the number of threads, and memory stays
 * bounded by the batches in flight.
 */
export class EntryRowsTransform extends Transform {
  /** Column indexes from the header row; without one, the address is the first column and there is no expiry. */
  private address = 0;
  private expiry = -1;
  private first = true;
  private addresses: (string | undefined)[] = [];
  private expiries: (string | undefined)[] = [];
  private rows: number[] = [];
  private readonly batches: OrderedBatches<RowsBatch, RowsResult>;
  readonly counts: ImportCounts = { total: 0, completed: 0, rejected: 0, rejections: [] };

  constructor(
    private readonly list: RowsBatch['list'],
    private readonly defaultExpiry: Date | null,
    validate: ValidateRows = entryRows,
    inFlight = 1,
  ) {
    super({ writableObjectMode: true });
    this.batches = new OrderedBatches(validate, (result) => this.add(result), inFlight);
  }

  override _transform(chunk: { record: string[]; info: { lines: number } }, _enc: BufferEncoding, done: TransformCallback): void {
    const { record, info } = chunk;
    if (this.first) {
      this.first = false;
      const names = record.map(headerName);
      const address = names.findIndex((n) => ADDRESS_HEADERS.has(n));
      if (address >= 0) {
        this.address = address;
        this.expiry = names.findIndex((n) => EXPIRY_HEADERS.has(n));
        return done();
      }
    }
    this.counts.total++;
    this.addresses.push(record[this.address]);
    if (this.expiry >= 0) this.expiries.push(record[this.expiry]);
    this.rows.push(info.lines);
    if (this.rows.length < BATCH_ROWS) return done();
    this.submit().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.submit()
      .then(() => this.batches.drain())
      .then(() => done(), done);
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    this.batches.stop();
    done(error);
  }

  /** Sends the batch read so far to validation. */
  private async submit(): Promise<void> {
    if (!this.rows.length) return;
    const expiries = this.expiry >= 0 ? this.expiries : undefined;
    const batch = { list: this.list, defaultExpiry: this.defaultExpiry, addresses: this.addresses, expiries, rows: this.rows };
    this.addresses = [];
    this.expiries = [];
    this.rows = [];
    await this.batches.submit(batch);
  }

  private add(result: RowsResult): void {
    this.counts.completed += result.completed;
    this.counts.rejected += result.rejected;
    this.counts.rejections.push(...result.rejections.slice(0, MAX_REJECTIONS_KEPT - this.counts.rejections.length));
    if (result.copy.length) this.push(result.copy);
  }
}

/** Counts bytes and fails the upload once it passes the limit. */
class SizeLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(tooLarge(this.limit));
    done(null, chunk);
  }
}

function tooLarge(limit: number, length?: number): DomainError {
  return new DomainError(
    'payload.too.large',
    `${length !== undefined ? `upload of ${length} bytes` : 'upload'} exceeds the limit of ${limit} bytes (DNC_MAX_UPLOAD_BYTES)`,
    413,
    [{ limit }],
  );
}

/**
 * What a failed read of an upload answers: the refusals already worded (size, type), a CSV that
 * does not parse (400 dnc.import.malformed), and anything else as it is: not the file's fault (the
 * database, a validation thread, the request cut off), so a server error, not a 400 that would
 * send the caller to fix a good file.
 */
export function uploadFailure(e: unknown): unknown {
  if (e instanceof CsvError) return new DomainError('dnc.import.malformed', `the file is not valid CSV: ${e.message}`, 400);
  return e;
}

export interface ImportStarted {
  /** Settles when the import is committed (or has failed; its status says so). */
  committed: Promise<void>;
}

/**
 * CSV upload of DNC entries, streamed end to end: request → (busboy) → csv-parse → validation
 * (on the worker threads) → `COPY` into a temporary stage, merged into dnc.dnc_entry part by part
 * while the upload goes on (DncImportStage), all in one transaction: a failed import stores
 * nothing, and memory does not grow with the file.
 */
@Injectable()
export class DncImportService implements OnModuleDestroy {
  private readonly logger = new Logger(DncImportService.name);
  /** Validation (libphonenumber-js: the largest cost per row) runs on these threads while this one parses the CSV. */
  private readonly pool: Piscina<RowsBatch, RowsResult>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: DncListsService,
    @Inject(DNC_IMPORT_SETTINGS) private readonly settings: DncImportSettings,
  ) {
    this.pool = batchPool(require.resolve('./dnc-rows'), entryRowsMoved.name, settings.threads);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  get waitMs(): number {
    return this.settings.waitMs;
  }

  /** The source of the CSV bytes: the raw body (text/csv) or the `file` part of a multipart form. */
  private source(req: IncomingMessage): Promise<Readable> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (CSV_TYPES.has(type)) return Promise.resolve(req);
    if (type !== 'multipart/form-data') {
      return Promise.reject(
        new DomainError('dnc.import.content.type', `Content-Type "${type || '(none)'}" is not accepted; send text/csv or multipart/form-data with a "file" field`, 415),
      );
    }
    return new Promise((resolve, reject) => {
      let form: busboy.Busboy;
      try {
        form = busboy({ headers: req.headers, limits: { files: 1, fields: 50 } });
      } catch (e) {
        return reject(new DomainError('bad.request', `malformed multipart/form-data: ${(e as Error).message}`, 400));
      }
      let found = false;
      form.on('file', (name, stream) => {
        if (name === 'file' && !found) {
          found = true;
          resolve(stream);
        } else stream.resume();
      });
      form.on('error', (e) => reject(new DomainError('bad.request', `malformed multipart/form-data: ${(e as Error).message}`, 400)));
      form.on('close', () => {
        if (!found) reject(new DomainError('dnc.import.file.missing', 'the multipart/form-data body has no "file" field', 400));
      });
      req.pipe(form);
    });
  }

  /**
   * Reads the whole upload into the list, uncommitted; resolves once it is read and merged (the
   * commit follows in `committed`), rejects if the upload is refused (size, type, malformed CSV) or
   * fails, in which case nothing is stored and the list's import status is FAILED.
   */
  async start(listId: string, req: IncomingMessage, divisions: Divisions, expirationDateTime?: string): Promise<ImportStarted> {
    const list = await this.lists.get(listId, divisions);
    const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    if (length !== undefined && length > this.settings.maxUploadBytes) throw tooLarge(this.settings.maxUploadBytes, length);
    const defaultExpiry = expirationDateTime ? new Date(expirationDateTime) : null;
    if (defaultExpiry && Number.isNaN(defaultExpiry.getTime())) throw new DomainError('bad.request', `expirationDateTime "${expirationDateTime}" is not a date-time`, 400);
    await this.claim(list);

    // Two batches per thread: one validated while the next waits, so no thread idles.
    const rows = new EntryRowsTransform(list, defaultExpiry, (batch) => this.pool.run(batch), 2 * this.settings.threads);
    const limit = new SizeLimit(this.settings.maxUploadBytes);
    const progress = (state: ImportStatus['state'], extra: Partial<ImportStatus> = {}): ImportStatus => ({
      state,
      totalRecords: rows.counts.total,
      completedRecords: rows.counts.completed,
      rejectedRecords: rows.counts.rejected,
      percentComplete: state === 'IN_PROGRESS' ? (length ? Math.min(99, Math.floor((limit.bytes / length) * 100)) : 0) : 100,
      ...extra,
    });
    const timer = setInterval(() => void this.save(listId, progress('IN_PROGRESS')).catch(() => undefined), PROGRESS_EVERY_MS);

    const runner = this.db.createQueryRunner();
    let client: PoolClient | undefined;
    let source: Readable | undefined;
    try {
      source = await this.source(req);
      client = (await runner.connect()) as PoolClient;
      await client.query('BEGIN');
      const stage = await DncImportStage.create(client, listId, this.settings.mergeBytes);
      const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
      const input = source;
      input.on('error', (e) => limit.destroy(e));
      input.pipe(limit);
      await pipeline(limit, parser, rows, stage).catch((e: unknown) => {
        input.unpipe(limit);
        // Let the rest of the request arrive (and be discarded) so that the answer can be read,
        // except past the size limit, where the connection is closed instead.
        if ((e as DomainError).status !== 413) input.resume();
        throw uploadFailure(e);
      });
    } catch (e) {
      clearInterval(timer);
      await client?.query('ROLLBACK').catch(() => undefined);
      await runner.release();
      await this.save(listId, progress('FAILED', { failureReason: (e as Error).message, percentComplete: 0 }), rows.counts.rejections).catch(() => undefined);
      throw e;
    }
    const committed = this.commit(listId, client, rows.counts)
      .then(async () => {
        this.logger.log({ msg: 'dnc import committed', listId, rows: rows.counts.total, rejected: rows.counts.rejected });
        await this.analyse(client);
      })
      .catch(async (e: unknown) => {
        await client.query('ROLLBACK').catch(() => undefined);
        this.logger.error({ msg: 'dnc import failed', listId, err: (e as Error).message });
        await this.save(listId, progress('FAILED', { failureReason: `the entries could not be stored: ${(e as Error).message}`, percentComplete: 0 })).catch(() => undefined);
      })
      .finally(() => {
        clearInterval(timer);
        void runner.release();
      });
    return { committed };
  }

  /** Records the import's outcome with its entries, in the same transaction. */
  private async commit(listId: string, client: PoolClient, counts: ImportCounts): Promise<void> {
    const status: ImportStatus = { state: 'SUCCEEDED', totalRecords: counts.total, completedRecords: counts.completed, rejectedRecords: counts.rejected, percentComplete: 100 };
    const updated = await client.query(
      `UPDATE dnc.dnc_list SET import_status = $2, import_rejections = $3, import_heartbeat_at = now(), date_modified = now() WHERE id = $1`,
      [listId, JSON.stringify(status), JSON.stringify(counts.rejections)],
    );
    // The list was deleted meanwhile: its entries must not outlive it.
    if (updated.rowCount !== 1) throw new Error('the DNC list was deleted during the import');
    await client.query('COMMIT');
  }

  /**
   * Refreshes the planner's statistics of the entries after an import. Until autovacuum gets to it
   * (a minute or more), the planner still sees the table as it was: after a list of 1M entries was
   * loaded into an empty table, the filter stage's lookup of a batch of addresses was a sequential
   * scan, ~160 ms a batch instead of ~4 ms, and the stage crawled. ANALYZE reads a sample (~30,000
   * rows) whatever the size, and blocks neither readers nor writers; a failure only delays the fix.
   */
  private async analyse(client: PoolClient): Promise<void> {
    await client.query('ANALYZE dnc.dnc_entry').catch((e: unknown) => this.logger.warn({ msg: 'ANALYZE after the import failed', err: (e as Error).message }));
  }

  /** Only one import per list at a time (an import whose process died no longer counts). */
  private async claim(list: DncListEntity): Promise<void> {
    const status: ImportStatus = { state: 'IN_PROGRESS', totalRecords: 0, completedRecords: 0, rejectedRecords: 0, percentComplete: 0 };
    // TypeORM answers an UPDATE with [rows, affected].
    const [claimed]: [unknown[], number] = await this.db.query(
      `UPDATE dnc.dnc_list SET import_status = $2, import_rejections = '[]', import_heartbeat_at = now()
        WHERE id = $1 AND (import_status IS NULL OR import_status->>'state' <> 'IN_PROGRESS' OR import_heartbeat_at < now() - interval '30 seconds')
        RETURNING id`,
      [list.id, JSON.stringify(status)],
    );
    if (!claimed.length) throw new DomainError('dnc.list.import.in.progress', `DNC list ${list.id} already has an import in progress`, 409);
  }

  /**
   * Records progress (and the heartbeat) of the import in progress. Never overwrites a finished
   * status: a progress write that waited on the committing transaction's row lock re-checks the
   * state and does nothing.
   */
  private async save(listId: string, status: ImportStatus, rejections?: ImportRejection[]): Promise<void> {
    await this.db.query(
      `UPDATE dnc.dnc_list SET import_status = $2, import_rejections = COALESCE($3, import_rejections), import_heartbeat_at = now()
        WHERE id = $1 AND import_status->>'state' = 'IN_PROGRESS'`,
      [listId, JSON.stringify(status), rejections ? JSON.stringify(rejections) : null],
    );
  }

  /** GET …/importstatus: Genesys ImportStatus, plus Herald's `rejectedRecords` and the first rejected rows. */
  async status(listId: string, divisions: Divisions) {
    const list = await this.lists.get(listId, divisions);
    const status = importStatusOf(list);
    if (!status) throw new DomainError('dnc.list.import.not.found', `DNC list ${listId} has had no import`, 404);
    return { ...status, rejections: list.importRejections ?? [] };
  }
}
