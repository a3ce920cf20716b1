import { Divisions } from '@herald/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError } from '@herald/service';
import { DataSource, EntityManager } from 'typeorm';
import { accepts, EntryKind, normaliseEntry } from './dnc-address';
import { DncListEntity } from './dnc-list.entity';
import { DncListsService, lockEntries } from './dnc-lists.service';
import { MAX_ENTRIES_PER_REQUEST } from './dtos/dnc-list.dto';

const KIND_NAME: Record<EntryKind, string> = { phone: 'phone numbers', email: 'email addresses' };
/** Phone entries are E.164 (`+…`), email entries hold an `@`: the kind is readable from the address. */
const KIND_SQL: Record<EntryKind, string> = { phone: `address NOT LIKE '%@%'`, email: `address LIKE '%@%'` };
/** How long a change to entries waits for the list's entry lock (a CSV import's, usually) before a 409. */
const ENTRY_LOCK_WAIT_MS = 5_000;
const LOCK_NOT_AVAILABLE = '55P03';

/** Entries of a DNC list through the API (`…/phonenumbers`, `…/emailaddresses`). */
@Injectable()
export class DncEntriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: DncListsService,
  ) {}

  private async listFor(listId: string, kind: EntryKind, divisions: Divisions): Promise<DncListEntity> {
    const list = await this.lists.get(listId, divisions);
    if (!accepts(list.contactMethod, kind)) {
      throw new DomainError(
        'dnc.list.contact.method',
        `DNC list ${listId} has contactMethod ${list.contactMethod}: it takes no ${KIND_NAME[kind]}`,
        400,
        [{ contactMethod: list.contactMethod }],
      );
    }
    return list;
  }

  /** Normalises every value or refuses them all, with one detail per bad value (index, value, reason). */
  private normaliseAll(list: DncListEntity, kind: EntryKind, values: unknown[]): string[] {
    if (values.length > MAX_ENTRIES_PER_REQUEST) {
      throw new DomainError('dnc.entries.too.many', `at most ${MAX_ENTRIES_PER_REQUEST} ${KIND_NAME[kind]} per request; got ${values.length}`, 400);
    }
    const addresses: string[] = [];
    const problems: Record<string, unknown>[] = [];
    values.forEach((value, index) => {
      const r = normaliseEntry(value, kind, list.defaultRegion);
      if (r.ok) addresses.push(r.address);
      else problems.push({ index, value: typeof value === 'string' ? value.slice(0, 256) : value === null ? null : typeof value, reason: r.reason, errorMessage: `[${index}] ${r.reason}` });
    });
    if (problems.length) {
      throw new DomainError('dnc.entries.invalid', `${problems.length} of ${values.length} ${KIND_NAME[kind]} are invalid; none were changed`, 400, problems);
    }
    return [...new Set(addresses)];
  }

  private expiry(raw: string | undefined): Date | null {
    if (raw === undefined || raw === '') return null;
    const at = new Date(raw);
    if (Number.isNaN(at.getTime())) throw new DomainError('bad.request', `expirationDateTime "${raw}" is not a date-time`, 400);
    return at;
  }

  /**
   * Runs `change` in a transaction holding the list's entry lock, as every change to entries does,
   * so that none interleaves with a CSV import's merges. An import holds that lock from its first
   * merge until it commits, up to about a minute for millions of rows: wait a little for it, not
   * until the edge gives up on the request, then answer 409.
   */
  private async changing(listId: string, change: (tx: EntityManager) => Promise<unknown>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${ENTRY_LOCK_WAIT_MS}`);
      await lockEntries(tx, listId).catch((e: unknown) => {
        if ((e as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw e;
        throw new DomainError('dnc.list.import.in.progress', `DNC list ${listId} has an import in progress; change its entries once it has committed (see …/importstatus)`, 409);
      });
      await change(tx);
    });
  }

  /** Adds entries; an entry already on the list takes the new expiry (none = never expires). */
  async add(listId: string, kind: EntryKind, values: unknown[], divisions: Divisions, expirationDateTime?: string): Promise<void> {
    const list = await this.listFor(listId, kind, divisions);
    const addresses = this.normaliseAll(list, kind, values);
    const expiresAt = this.expiry(expirationDateTime);
    if (!addresses.length) return;
    await this.changing(listId, async (tx) => {
      await tx.query(
        `INSERT INTO dnc.dnc_entry (list_id, address, expires_at) SELECT $1, a, $3 FROM unnest($2::text[]) AS a
         ON CONFLICT (list_id, address) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [listId, addresses, expiresAt],
      );
      await tx.query('UPDATE dnc.dnc_list SET date_modified = now() WHERE id = $1', [listId]);
    });
  }

  async removeEntries(listId: string, kind: EntryKind, values: unknown[], divisions: Divisions): Promise<void> {
    const list = await this.listFor(listId, kind, divisions);
    const addresses = this.normaliseAll(list, kind, values);
    if (!addresses.length) return;
    await this.changing(listId, (tx) => tx.query('DELETE FROM dnc.dnc_entry WHERE list_id = $1 AND address = ANY($2)', [listId, addresses]));
  }

  async patch(listId: string, kind: EntryKind, action: 'Add' | 'Remove', values: unknown[], divisions: Divisions, expirationDateTime?: string): Promise<void> {
    if (action === 'Add') return this.add(listId, kind, values, divisions, expirationDateTime);
    return this.removeEntries(listId, kind, values, divisions);
  }

  /** DELETE …/phonenumbers (or …/emailaddresses): every entry of that kind, or only the expired ones. */
  async clear(listId: string, kind: EntryKind, expiredOnly: boolean, divisions: Divisions): Promise<void> {
    await this.listFor(listId, kind, divisions);
    await this.changing(listId, (tx) =>
      tx.query(`DELETE FROM dnc.dnc_entry WHERE list_id = $1 AND ${KIND_SQL[kind]}${expiredOnly ? ' AND expires_at <= now()' : ''}`, [listId]),
    );
  }
}
