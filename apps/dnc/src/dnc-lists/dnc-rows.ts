import { accepts, normaliseEntry } from './dnc-address';
import type { DncListEntity, ImportRejection } from './dnc-list.entity';

/** Rejected rows kept for the report; the rest are only counted. */
export const MAX_REJECTIONS_KEPT = 1_000;

/** A batch of CSV records of one import, validated together (in a worker thread of the import's pool). */
export interface RowsBatch {
  list: Pick<DncListEntity, 'contactMethod' | 'defaultRegion'>;
  defaultExpiry: Date | null;
  /** Column indexes from the header row; without one, the address is the first column. */
  header: { address: number; expiry: number } | undefined;
  records: string[][];
  /** The file's line number of each record. */
  rows: number[];
}

export interface RowsResult {
  /** Lines for `COPY … FROM STDIN` (text format): row number, normalised address, expiry. */
  copy: string;
  completed: number;
  rejected: number;
  /** The batch's first MAX_REJECTIONS_KEPT rejected rows. */
  rejections: ImportRejection[];
}

/**
 * Validates and normalises a batch of DNC CSV records. Invalid rows are counted and the first
 * MAX_REJECTIONS_KEPT kept with their row number and reason; valid rows become COPY lines.
 */
export function entryRows({ list, defaultExpiry, header, records, rows }: RowsBatch): RowsResult {
  const result: RowsResult = { copy: '', completed: 0, rejected: 0, rejections: [] };
  const method = list.contactMethod;
  const kind = method === 'Phone' ? 'phone' : method === 'Email' ? 'email' : 'any';
  const reject = (row: number, value: string | undefined, reason: string) => {
    result.rejected++;
    if (result.rejections.length < MAX_REJECTIONS_KEPT) result.rejections.push({ row, value: value?.slice(0, 256), reason });
  };
  records.forEach((record, i) => {
    const row = rows[i]!;
    const raw = record[header?.address ?? 0];
    if (raw === undefined || raw.trim() === '') return reject(row, raw, 'empty address');
    if (kind === 'phone' && raw.includes('@')) return reject(row, raw, 'an email address; this DNC list takes phone numbers only');
    const entry = normaliseEntry(raw, kind, list.defaultRegion);
    if (!entry.ok) return reject(row, raw, entry.reason);
    if (!accepts(method, entry.kind)) return reject(row, raw, `this DNC list takes no ${entry.kind === 'email' ? 'email addresses' : 'phone numbers'}`);
    let expiry = defaultExpiry;
    const rawExpiry = header && header.expiry >= 0 ? record[header.expiry]?.trim() : undefined;
    if (rawExpiry) {
      expiry = new Date(rawExpiry);
      if (Number.isNaN(expiry.getTime())) return reject(row, rawExpiry, 'invalid expiration date-time (use ISO 8601, e.g. 2027-01-31T00:00Z)');
    }
    result.completed++;
    // Normalised addresses hold none of COPY's special characters, except perhaps a backslash in an IDN.
    const address = /[\\\t\n\r]/.test(entry.address) ? entry.address.replace(/[\\\t\n\r]/g, (c) => `\\${c === '\t' ? 't' : c === '\n' ? 'n' : c === '\r' ? 'r' : '\\'}`) : entry.address;
    result.copy += `${row}\t${address}\t${expiry ? expiry.toISOString() : '\\N'}\n`;
  });
  return result;
}
