import { CopyLines, movedResult } from '@herald/bulk';
import { accepts, normaliseEntry } from './dnc-address';
import type { DncListEntity, ImportRejection } from './dnc-list.entity';

/** Rejected rows kept for the report; the rest are only counted. */
export const MAX_REJECTIONS_KEPT = 1_000;

/**
 * A batch of CSV records of one import, validated together (in a worker thread of the import's
 * pool). Only the cells validation reads cross to the thread: one flat array each, far cheaper to
 * clone than the records themselves.
 */
export interface RowsBatch {
  list: Pick<DncListEntity, 'contactMethod' | 'defaultRegion'>;
  defaultExpiry: Date | null;
  /** Each record's address cell (undefined when the record is too short to have one). */
  addresses: (string | undefined)[];
  /** Each record's expiry cell, when the file has an expiry column. */
  expiries: (string | undefined)[] | undefined;
  /** The file's line number of each record. */
  rows: number[];
}

export interface RowsResult {
  /** Lines for `COPY … FROM STDIN` (text format, UTF-8): row number, normalised address, expiry. */
  copy: Uint8Array;
  completed: number;
  rejected: number;
  /** The batch's first MAX_REJECTIONS_KEPT rejected rows. */
  rejections: ImportRejection[];
}

/** Bytes reserved per valid row: a row number, an address and an ISO date-time fit in most cases (the buffer grows otherwise). */
const BYTES_PER_ROW = 64;

/**
 * Validates and normalises a batch of DNC CSV records. Invalid rows are counted and the first
 * MAX_REJECTIONS_KEPT kept with their row number and reason; valid rows become COPY lines, written
 * straight into one buffer (no string per batch to build, keep alive and encode later).
 */
export function entryRows({ list, defaultExpiry, addresses, expiries, rows }: RowsBatch): RowsResult {
  const result: Omit<RowsResult, 'copy'> = { completed: 0, rejected: 0, rejections: [] };
  const method = list.contactMethod;
  const kind = method === 'Phone' ? 'phone' : method === 'Email' ? 'email' : 'any';
  const reject = (row: number, value: string | undefined, reason: string) => {
    result.rejected++;
    if (result.rejections.length < MAX_REJECTIONS_KEPT) result.rejections.push({ row, value: value?.slice(0, 256), reason });
  };
  const out = new CopyLines(addresses.length * BYTES_PER_ROW);
  for (let i = 0; i < addresses.length; i++) {
    const row = rows[i]!;
    const raw = addresses[i];
    if (raw === undefined || raw.trim() === '') {
      reject(row, raw, 'empty address');
      continue;
    }
    if (kind === 'phone' && raw.includes('@')) {
      reject(row, raw, 'an email address; this DNC list takes phone numbers only');
      continue;
    }
    const entry = normaliseEntry(raw, kind, list.defaultRegion);
    if (!entry.ok) {
      reject(row, raw, entry.reason);
      continue;
    }
    if (!accepts(method, entry.kind)) {
      reject(row, raw, `this DNC list takes no ${entry.kind === 'email' ? 'email addresses' : 'phone numbers'}`);
      continue;
    }
    let expiry = defaultExpiry;
    const rawExpiry = expiries?.[i]?.trim();
    if (rawExpiry) {
      expiry = new Date(rawExpiry);
      if (Number.isNaN(expiry.getTime())) {
        reject(row, rawExpiry, 'invalid expiration date-time (use ISO 8601, e.g. 2027-01-31T00:00Z)');
        continue;
      }
    }
    result.completed++;
    // Normalised addresses hold none of COPY's special characters, except perhaps a backslash in an IDN.
    const address = /[\\\t\n\r]/.test(entry.address) ? entry.address.replace(/[\\\t\n\r]/g, (c) => `\\${c === '\t' ? 't' : c === '\n' ? 'n' : c === '\r' ? 'r' : '\\'}`) : entry.address;
    out.write(`${row}\t${address}\t${expiry ? expiry.toISOString() : '\\N'}\n`);
  }
  return { ...result, copy: out.bytes() };
}

/** The thread pool's entry point: entryRows, its COPY bytes moved to the calling thread instead of copied. */
export function entryRowsMoved(batch: RowsBatch) {
  return movedResult(entryRows(batch));
}
