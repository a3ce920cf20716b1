import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { divisionRef, Divisions } from '@herald/auth';
import { listing, Page } from '@herald/persistence';
import { DomainError, NotFoundError, VersionConflictError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FilterClause, filterProblems, FilterType } from '../audience/audience';
import { ContactListsService } from '../contact-lists/contact-lists.service';
import { ContactListFilterDto } from './contact-list-filter.dto';

interface FilterRow {
  id: string;
  name: string;
  division: string;
  list_id: string;
  filter_type: FilterType;
  clauses: FilterClause[];
  version: number;
  date_created: Date;
  date_modified: Date;
}

const BASE = '/api/v2/outbound/contactlistfilters';

/** Genesys `/api/v2/outbound/contactlistfilters`: named filters over a contact list's columns. */
@Injectable()
export class ContactListFiltersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: ContactListsService,
  ) {}

  private toResource(r: FilterRow) {
    return {
      id: r.id,
      name: r.name,
      dateCreated: r.date_created.toISOString(),
      dateModified: r.date_modified.toISOString(),
      version: r.version,
      division: divisionRef(r.division),
      contactList: { id: r.list_id, selfUri: `/api/v2/outbound/contactlists/${r.list_id}` },
      sourceType: 'contactList',
      filterType: r.filter_type,
      clauses: r.clauses.map((c) => ({
        filterType: c.filterType,
        predicates: c.predicates.map((p) => ({
          column: p.column,
          columnType: p.columnType,
          operator: p.operator,
          value: p.value,
          range: p.inSet ? { inSet: p.inSet } : undefined,
          inverted: p.inverted,
        })),
      })),
      selfUri: `${BASE}/${r.id}`,
    };
  }

  /**
   * The stored clauses of a request, checked against the list's columns (400 naming each bad
   * field), and the division of the list, which is the filter's: a list the caller cannot see is
   * as unknown as a missing one.
   */
  private async clausesOf(dto: ContactListFilterDto, divisions: Divisions): Promise<{ clauses: FilterClause[]; division: string }> {
    const list = await this.lists.get(dto.contactList.id, divisions).catch((e: unknown) => {
      if (e instanceof NotFoundError) throw new DomainError('contact.list.not.found', `contactList.id: contact list ${dto.contactList.id} does not exist`, 400, [{ field: 'contactList.id' }]);
      throw e;
    });
    const clauses: FilterClause[] = dto.clauses.map((c) => ({
      filterType: c.filterType ?? 'AND',
      predicates: c.predicates.map((p) => ({
        column: p.column,
        columnType: p.columnType,
        operator: p.operator,
        value: p.value,
        inSet: p.range?.inSet,
        inverted: p.inverted ?? false,
      })),
    }));
    const problems = filterProblems(clauses, list.columnNames);
    if (problems.length) {
      throw new DomainError('contact.list.filter.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), 400, problems.map((p) => ({ ...p })));
    }
    return { clauses, division: list.division };
  }

  async create(dto: ContactListFilterDto, divisions: Divisions) {
    const { clauses, division } = await this.clausesOf(dto, divisions);
    try {
      const [row]: FilterRow[] = await this.db.query(
        `INSERT INTO contacts.contact_list_filter (id, name, division, list_id, filter_type, clauses) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [randomUUID(), dto.name, division, dto.contactList.id, dto.filterType ?? 'AND', JSON.stringify(clauses)],
      );
      return this.toResource(row!);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new DomainError('contact.list.filter.name.taken', `a contact list filter named "${dto.name}" already exists`, 409);
      throw e;
    }
  }

  private async row(id: string, divisions: Divisions): Promise<FilterRow> {
    const [row]: FilterRow[] = await this.db.query('SELECT * FROM contacts.contact_list_filter WHERE id = $1', [id]);
    if (!row || !divisions.has(row.division)) throw new NotFoundError('contact.list.filter', id);
    return row;
  }

  async get(id: string, divisions: Divisions) {
    return this.toResource(await this.row(id, divisions));
  }

  async list(page: Page, divisions: Divisions, q: { name?: string; contactListId?: string; divisionId?: string | string[] }) {
    const where = ['true'];
    const params: unknown[] = [];
    const visible = divisions.visible(q.divisionId);
    if (visible) {
      params.push(visible);
      where.push(`division = ANY($${params.length})`);
    }
    if (q.name) {
      params.push(`%${q.name.replace(/[\\%_]/g, '\\$&')}%`);
      where.push(`name ILIKE $${params.length}`);
    }
    if (q.contactListId) {
      params.push(q.contactListId);
      where.push(`list_id = $${params.length}`);
    }
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM contacts.contact_list_filter WHERE ${where.join(' AND ')}`, params);
    const rows: FilterRow[] = await this.db.query(
      `SELECT * FROM contacts.contact_list_filter WHERE ${where.join(' AND ')} ORDER BY lower(name) LIMIT ${page.pageSize} OFFSET ${(page.pageNumber - 1) * page.pageSize}`,
      params,
    );
    return listing(rows.map((r) => this.toResource(r)), page, total);
  }

  /** Runs already started keep the filter as it was when they were turned on. */
  async update(id: string, dto: ContactListFilterDto, divisions: Divisions) {
    if (dto.version === undefined) throw new DomainError('version.required', 'version is required to update a contact list filter', 400);
    const current = await this.row(id, divisions);
    if (current.version !== dto.version) throw new VersionConflictError('contact.list.filter', id, dto.version, current.version);
    const { clauses, division } = await this.clausesOf(dto, divisions);
    const rows: FilterRow[] = await this.db.query(
      `UPDATE contacts.contact_list_filter SET name = $3, list_id = $4, filter_type = $5, clauses = $6, division = $7, version = version + 1, date_modified = now()
        WHERE id = $1 AND version = $2 RETURNING *`,
      [id, dto.version, dto.name, dto.contactList.id, dto.filterType ?? 'AND', JSON.stringify(clauses), division],
    ).catch((e: { code?: string }) => {
      if (e.code === '23505') throw new DomainError('contact.list.filter.name.taken', `a contact list filter named "${dto.name}" already exists`, 409);
      throw e;
    });
    // TypeORM answers [rows, count] for UPDATE … RETURNING.
    const row = (Array.isArray(rows[0]) ? (rows[0] as FilterRow[])[0] : rows[0]) as FilterRow | undefined;
    if (!row) throw new VersionConflictError('contact.list.filter', id, dto.version, current.version + 1);
    return this.toResource(row);
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    await this.row(id, divisions);
    const [inUse] = await this.db.query(
      `SELECT campaign_id FROM contacts.dispatch_run WHERE status IN ('on', 'stopping') AND config->'filters' @> $1::jsonb LIMIT 1`,
      [JSON.stringify([{ id }])],
    );
    if (inUse) throw new DomainError('contact.list.filter.in.use', `contact list filter ${id} is used by running campaign ${inUse.campaign_id}; turn it off first`, 409);
    await this.db.query('DELETE FROM contacts.contact_list_filter WHERE id = $1', [id]);
  }
}
