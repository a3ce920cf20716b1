import { DispatcherService } from '../dispatch/dispatcher.service';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalizePhoneNumber } from '@herald/channels';
import { DomainError, NotFoundError, VersionConflictError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import type { CountryCode } from 'libphonenumber-js';
import { ContactEntity, ContactListEntity } from './contact-list.entity';
import { ContactListDto, MAX_CONTACTS_PER_BULK_GET, MAX_CONTACTS_PER_REQUEST, WritableDialerContactDto } from './dtos/contact-list.dto';
import { ContactResultsService } from '../results/contact-results.service';
import { joinRuns } from '../audience/audience';
import { canonicalTimeZone } from './time-zone';
import { listingOf, Page } from '@herald/persistence';
import { divisionRef, Divisions } from '@herald/auth';

interface ContactProblem {
  column: string;
  reason: string;
}


export interface AddContactsOptions {
  priority: boolean;
  /** Forget the recorded results (last attempts) of contacts that already exist. */
  clearSystemData?: boolean;
  /** Do not add the contacts to the audience of campaigns running on the list. */
  doNotQueue?: boolean;
}

@Injectable()
export class ContactListsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly results: ContactResultsService,
    private readonly dispatcher: DispatcherService,
  ) {}

  toResource(list: ContactListEntity, size?: number, importStatus?: object) {
    return {
      id: list.id,
      name: list.name,
      dateCreated: list.dateCreated.toISOString(),
      dateModified: list.dateModified.toISOString(),
      version: list.version,
      division: divisionRef(list.division),
      columnNames: list.columnNames,
      phoneColumns: list.phoneColumns,
      emailColumns: list.emailColumns,
      trimWhitespace: list.trimWhitespace,
      automaticTimeZoneMapping: list.automaticTimeZoneMapping,
      zipCodeColumnName: list.zipCodeColumn ?? undefined,
      timeZoneColumn: list.timeZoneColumn ?? undefined,
      defaultPhoneRegion: list.defaultRegion ?? undefined,
      size,
      importStatus,
      selfUri: `/api/v2/outbound/contactlists/${list.id}`,
    };
  }

  private checkColumns(dto: ContactListDto): void {
    const named: { field: string; column: string | undefined }[] = [
      ...(dto.phoneColumns ?? []).flatMap((c) => [
        { field: 'phoneColumns.columnName', column: c.columnName },
        { field: 'phoneColumns.callableTimeColumnName', column: c.callableTimeColumnName },
      ]),
      ...(dto.emailColumns ?? []).flatMap((c) => [
        { field: 'emailColumns.columnName', column: c.columnName },
        { field: 'emailColumns.contactableTimeColumnName', column: c.contactableTimeColumnName },
      ]),
      { field: 'zipCodeColumnName', column: dto.zipCodeColumnName },
      { field: 'timeZoneColumn', column: dto.timeZoneColumn },
    ];
    for (const { field, column } of named) {
      if (column !== undefined && !dto.columnNames.includes(column)) {
        throw new DomainError('contact.list.column.unknown', `${field}: column "${column}" is not one of the list's columnNames`, 400, [{ field, column }]);
      }
    }
  }

  async create(dto: ContactListDto, divisions: Divisions) {
    this.checkColumns(dto);
    const division = await divisions.target(dto.division?.id);
    const repo = this.db.getRepository(ContactListEntity);
    const now = new Date();
    const list = repo.create({
      id: randomUUID(),
      name: dto.name,
      division,
      columnNames: dto.columnNames,
      phoneColumns: dto.phoneColumns ?? [],
      emailColumns: dto.emailColumns ?? [],
      defaultRegion: dto.defaultPhoneRegion ?? null,
      trimWhitespace: dto.trimWhitespace ?? true,
      automaticTimeZoneMapping: dto.automaticTimeZoneMapping ?? false,
      zipCodeColumn: dto.zipCodeColumnName ?? null,
      timeZoneColumn: dto.timeZoneColumn ?? null,
      version: 1,
      dateCreated: now,
      dateModified: now,
    });
    try {
      await repo.insert(list);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new DomainError('contact.list.name.taken', `a contact list named "${dto.name}" already exists`, 409);
      throw e;
    }
    return this.toResource(list, 0);
  }

  /** The list, if the caller's divisions hold it; another division's list is as absent as a missing one. */
  async get(id: string, divisions: Divisions): Promise<ContactListEntity> {
    const list = await this.db.getRepository(ContactListEntity).findOneBy({ id });
    if (!list || !divisions.has(list.division)) throw new NotFoundError('contact.list', id);
    return list;
  }

  async size(listId: string): Promise<number> {
    const [{ count }] = await this.db.query('SELECT count(*)::int AS count FROM contacts.contact WHERE list_id = $1', [listId]);
    return count;
  }

  async list(page: Page, divisions: Divisions, q: { name?: string; divisionId?: string | string[] }) {
    const { name } = q;
    const qb = this.db.getRepository(ContactListEntity).createQueryBuilder('l');
    const visible = divisions.visible(q.divisionId);
    if (visible) qb.where('l.division = ANY(:visible)', { visible });
    if (name) qb.andWhere('l.name ILIKE :n', { n: `%${name.replace(/[%_]/g, '\\$&')}%` });
    return listingOf(qb.orderBy('l.name'), page, (rows) => rows.map((r) => this.toResource(r)));
  }

  async update(id: string, dto: ContactListDto, divisions: Divisions) {
    this.checkColumns(dto);
    const list = await this.get(id, divisions);
    const division = await divisions.target(dto.division?.id, list.division);
    if (dto.version === undefined) throw new DomainError('version.required', 'version is required to update a contact list', 400);
    if (dto.version !== list.version) throw new VersionConflictError('contact.list', id, dto.version, list.version);
    await this.db
      .transaction(async (tx) => {
        // A list's filters live in its division.
        if (division !== list.division) await tx.query('UPDATE contacts.contact_list_filter SET division = $2 WHERE list_id = $1', [id, division]);
        const result = await tx
          .createQueryBuilder()
          .update(ContactListEntity)
          .set({
            name: dto.name,
            division,
            columnNames: dto.columnNames,
            phoneColumns: dto.phoneColumns ?? [],
            emailColumns: dto.emailColumns ?? [],
            trimWhitespace: dto.trimWhitespace ?? list.trimWhitespace,
            defaultRegion: dto.defaultPhoneRegion ?? list.defaultRegion,
            // Time zone sources are replaced: absent means none.
            automaticTimeZoneMapping: dto.automaticTimeZoneMapping ?? false,
            zipCodeColumn: dto.zipCodeColumnName ?? null,
            timeZoneColumn: dto.timeZoneColumn ?? null,
            version: list.version + 1,
            dateModified: new Date(),
          })
          .where('id = :id AND version = :v', { id, v: list.version })
          .execute();
        if (result.affected !== 1) throw new VersionConflictError('contact.list', id, dto.version!, list.version + 1);
      })
      .catch((e: unknown) => {
        if ((e as { code?: string }).code === '23505') {
          throw new DomainError('contact.list.name.taken', `the name "${dto.name}" (or the name of one of the list's filters) is already taken in division ${division}`, 409);
        }
        throw e;
      });
    return this.toResource(await this.get(id, divisions), await this.size(id));
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    await this.get(id, divisions);
    const [running] = await this.db.query(
      `SELECT campaign_id FROM contacts.dispatch_run WHERE list_id = $1 AND status IN ('on', 'stopping') LIMIT 1`,
      [id],
    );
    if (running) {
      throw new DomainError('contact.list.in.use', `contact list ${id} is used by running campaign ${running.campaign_id}; turn it off first`, 409);
    }
    await this.db.getRepository(ContactListEntity).delete({ id });
  }

  /** Checks and normalises one contact; returns its data or the reasons it is refused (column and reason). */
  private normalise(list: ContactListEntity, contact: WritableDialerContactDto): { data: Record<string, string> } | { problems: ContactProblem[] } {
    const problems: ContactProblem[] = [];
    const data: Record<string, string> = {};
    for (const [column, raw] of Object.entries(contact.data)) {
      if (!list.columnNames.includes(column)) {
        problems.push({ column, reason: 'not a column of the list' });
        continue;
      }
      if (typeof raw !== 'string' && typeof raw !== 'number') {
        problems.push({ column, reason: 'must be a string' });
        continue;
      }
      data[column] = list.trimWhitespace ? String(raw).trim() : String(raw);
    }
    for (const { columnName } of list.phoneColumns) {
      const raw = data[columnName];
      if (raw === undefined || raw === '') continue;
      const result = normalizePhoneNumber(raw, (list.defaultRegion ?? undefined) as CountryCode | undefined);
      if (result.ok) data[columnName] = result.e164;
      else problems.push({ column: columnName, reason: result.reason });
    }
    const zoneColumn = list.timeZoneColumn;
    if (zoneColumn && data[zoneColumn]) {
      const zone = canonicalTimeZone(data[zoneColumn]);
      if (zone) data[zoneColumn] = zone;
      else problems.push({ column: zoneColumn, reason: `"${data[zoneColumn].slice(0, 64)}" is not an IANA time zone name (e.g. "America/New_York")` });
    }
    return problems.length ? { problems } : { data };
  }

  /** One `details` entry of a refused contact: where it is, and per column what is wrong. */
  private problemDetail(index: number, contactId: string | undefined, problems: ContactProblem[]) {
    return { index, contactId, errors: problems.map((p) => `column "${p.column}": ${p.reason}`), fields: problems };
  }

  /**
   * Adds or replaces contacts (POST …/contacts). Contacts added to a list that a campaign is
   * running join that run's audience; with `priority` they are dispatched before all others.
   */
  async addContacts(listId: string, contacts: WritableDialerContactDto[], options: AddContactsOptions, divisions: Divisions) {
    if (contacts.length > MAX_CONTACTS_PER_REQUEST) {
      throw new DomainError('contacts.too.many', `at most ${MAX_CONTACTS_PER_REQUEST} contacts per request; got ${contacts.length}`, 400);
    }
    const list = await this.get(listId, divisions);
    const rows: { id: string; data: Record<string, string> }[] = [];
    const problems: Record<string, unknown>[] = [];
    contacts.forEach((c, index) => {
      const result = this.normalise(list, c);
      if ('problems' in result) problems.push(this.problemDetail(index, c.id, result.problems));
      else rows.push({ id: c.id ?? randomUUID().replace(/-/g, ''), data: result.data });
    });
    if (problems.length) {
      throw new DomainError('contacts.invalid', `${problems.length} of ${contacts.length} contacts are invalid; none were added`, 400, problems);
    }
    const seen = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.id)) throw new DomainError('contacts.duplicate.id', `contact id "${r.id}" appears twice in the request`, 400);
      seen.add(r.id);
    }
    const ids = rows.map((r) => r.id);
    const saved = await this.db.transaction(async (tx) => {
      const inserted: { id: string; seq: string; date_created: Date }[] = await tx.query(
        `INSERT INTO contacts.contact (list_id, id, data, priority)
         SELECT $1, x.id, x.data, $3 FROM jsonb_to_recordset($2::jsonb) AS x(id text, data jsonb)
         ON CONFLICT (list_id, id) DO UPDATE SET data = EXCLUDED.data, priority = EXCLUDED.priority
         RETURNING id, seq, date_created`,
        [listId, JSON.stringify(rows), options.priority],
      );
      if (options.clearSystemData) await tx.query('DELETE FROM contacts.contact_result WHERE list_id = $1 AND contact_id = ANY($2)', [listId, ids]);
      if (options.doNotQueue) return inserted;
      // Join the audience of runs in progress on this list (a re-added contact keeps its place).
      await joinRuns((text, params) => tx.query(text, params), listId, { ids }, { updatePriority: true });
      return inserted;
    });
    if (!options.doNotQueue) await this.dispatcher.announceAudience(listId);
    const created = new Map(saved.map((s) => [s.id, s.date_created]));
    return rows.map((r) => ({
      id: r.id,
      contactListId: listId,
      data: r.data,
      callable: true,
      dateCreated: created.get(r.id)?.toISOString(),
      selfUri: `/api/v2/outbound/contactlists/${listId}/contacts/${r.id}`,
    }));
  }

  private toContact(listId: string, c: { id: string; data: Record<string, string>; dateCreated: Date }, latest?: Record<string, unknown>) {
    return {
      id: c.id,
      contactListId: listId,
      data: c.data,
      callable: true,
      dateCreated: c.dateCreated.toISOString(),
      latestResults: latest,
      selfUri: `/api/v2/outbound/contactlists/${listId}/contacts/${c.id}`,
    };
  }

  async getContact(listId: string, contactId: string, divisions: Divisions) {
    const [found] = await this.getContacts(listId, [contactId], divisions);
    if (!found) throw new NotFoundError('contact', contactId);
    return found;
  }

  /** Bulk get (POST …/contacts/bulk): the contacts that exist, in the order asked; unknown ids are left out. */
  async getContacts(listId: string, contactIds: string[], divisions: Divisions) {
    if (contactIds.length > MAX_CONTACTS_PER_BULK_GET) {
      throw new DomainError('contacts.too.many', `at most ${MAX_CONTACTS_PER_BULK_GET} contact ids per request; got ${contactIds.length}`, 400);
    }
    if (!contactIds.every((id) => typeof id === 'string')) throw new DomainError('bad.request', 'the body must be an array of contact ids (strings)', 400);
    await this.get(listId, divisions);
    if (contactIds.length === 0) return [];
    const found = await this.db.getRepository(ContactEntity).find({ where: { listId, id: In(contactIds) } });
    const latest = await this.results.latestFor(listId, found.map((c) => c.id));
    const byId = new Map(found.map((c) => [c.id, c]));
    return [...new Set(contactIds)].filter((id) => byId.has(id)).map((id) => this.toContact(listId, byId.get(id)!, latest.get(id)));
  }

  /** Replaces one contact's data (PUT …/contacts/{contactId}); its place in the queue and its results stay. */
  async updateContact(listId: string, contactId: string, contact: WritableDialerContactDto, divisions: Divisions) {
    if (contact.id !== undefined && contact.id !== contactId) {
      throw new DomainError('contact.id.mismatch', `the body's id "${contact.id}" is not the path's contact id`, 400);
    }
    if (contact.contactListId !== undefined && contact.contactListId !== listId) {
      throw new DomainError('contact.list.mismatch', `the body's contactListId is not the path's contact list id`, 400);
    }
    const list = await this.get(listId, divisions);
    const result = this.normalise(list, contact);
    if ('problems' in result) throw new DomainError('contacts.invalid', 'the contact is invalid; it was not updated', 400, [this.problemDetail(0, contactId, result.problems)]);
    const updated = await this.db.getRepository(ContactEntity).update({ listId, id: contactId }, { data: result.data });
    if (!updated.affected) throw new NotFoundError('contact', contactId);
    return this.getContact(listId, contactId, divisions);
  }

  async removeContact(listId: string, contactId: string, divisions: Divisions): Promise<void> {
    await this.get(listId, divisions);
    await this.db.transaction(async (tx) => {
      const r = await tx.getRepository(ContactEntity).delete({ listId, id: contactId });
      if (!r.affected) throw new NotFoundError('contact', contactId);
      // A contact not yet dispatched leaves the audience of runs in progress.
      await tx.query(
        `DELETE FROM contacts.run_contact rc USING contacts.dispatch_run r
          WHERE rc.run_id = r.run_id AND r.list_id = $1 AND rc.contact_id = $2 AND rc.dispatched_at IS NULL`,
        [listId, contactId],
      );
      await tx.query(
        `UPDATE contacts.dispatch_run r SET total = (SELECT count(*) FROM contacts.run_contact rc WHERE rc.run_id = r.run_id) WHERE r.list_id = $1`,
        [listId],
      );
    });
  }
}
