import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isSupportedCountry } from 'libphonenumber-js';
import { DomainError, NotFoundError, VersionConflictError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DncListEntity, ImportStatus } from './dnc-list.entity';
import { DncListDto } from './dtos/dnc-list.dto';
import { listingOf, Page } from '@herald/persistence';
import { divisionRef, Divisions } from '@herald/auth';

export const SUPPORTED_SOURCE_TYPES = ['rds'];

/** An import whose heartbeat stopped this long ago died with its process. */
export const IMPORT_STALE_MS = 30_000;

/** The list's import status, with an import whose process died shown as FAILED. */
export function importStatusOf(list: DncListEntity, now = Date.now()): ImportStatus | null {
  const status = list.importStatus;
  if (status?.state !== 'IN_PROGRESS') return status;
  const beat = list.importHeartbeatAt?.getTime() ?? 0;
  return now - beat > IMPORT_STALE_MS ? { ...status, state: 'FAILED', failureReason: 'interrupted: the dnc service stopped during the import; nothing of it was stored' } : status;
}

/**
 * Takes, until the end of the caller's transaction, the lock that writers changing one list's
 * entries take in turn (the CSV import's merge, and the API's adds, removes and clears in
 * DncEntriesService), so that an import that found the list empty may INSERT without `ON CONFLICT`
 * and nothing removed meanwhile comes back when it commits.
 */
export async function lockEntries(db: { query(sql: string, params: unknown[]): Promise<unknown> }, listId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('dnc.dnc_entry ' || $1, 0))`, [listId]);
}

export interface ResourceOptions {
  size?: number;
  includeImportStatus?: boolean;
}

/** DNC lists themselves (Genesys `DncList`); their entries are in DncEntriesService. */
@Injectable()
export class DncListsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  toResource(list: DncListEntity, options: ResourceOptions = {}) {
    return {
      id: list.id,
      name: list.name,
      dateCreated: list.dateCreated.toISOString(),
      dateModified: list.dateModified.toISOString(),
      version: list.version,
      importStatus: options.includeImportStatus ? (importStatusOf(list) ?? undefined) : undefined,
      size: options.size,
      dncSourceType: list.dncSourceType,
      contactMethod: list.contactMethod,
      division: divisionRef(list.division),
      defaultPhoneRegion: list.defaultRegion,
      selfUri: `/api/v2/outbound/dnclists/${list.id}`,
    };
  }

  private check(dto: DncListDto): void {
    if (!SUPPORTED_SOURCE_TYPES.includes(dto.dncSourceType)) {
      throw new DomainError(
        'dnc.source.type.unsupported',
        `dncSourceType "${dto.dncSourceType}" is not supported; Herald keeps its own DNC lists only (dncSourceType "rds")`,
        400,
        [{ field: 'dncSourceType', value: dto.dncSourceType, supported: SUPPORTED_SOURCE_TYPES }],
      );
    }
    if (dto.defaultPhoneRegion && !isSupportedCountry(dto.defaultPhoneRegion)) {
      throw new DomainError('dnc.list.region.unknown', `defaultPhoneRegion "${dto.defaultPhoneRegion}" is not a known region`, 400);
    }
  }

  async create(dto: DncListDto, divisions: Divisions) {
    this.check(dto);
    const division = await divisions.target(dto.division?.id);
    const repo = this.db.getRepository(DncListEntity);
    const now = new Date();
    const list = repo.create({
      id: randomUUID(),
      name: dto.name,
      division,
      dncSourceType: dto.dncSourceType,
      contactMethod: dto.contactMethod ?? 'Phone',
      defaultRegion: dto.defaultPhoneRegion ?? 'US',
      version: 1,
      dateCreated: now,
      dateModified: now,
      importStatus: null,
      importRejections: null,
      importHeartbeatAt: null,
      exportRequestedAt: null,
    });
    try {
      await repo.insert(list);
    } catch (e) {
      throw this.nameTaken(e, dto.name);
    }
    return this.toResource(list, { size: 0 });
  }

  private nameTaken(e: unknown, name: string): unknown {
    return (e as { code?: string }).code === '23505' ? new DomainError('dnc.list.name.taken', `a DNC list named "${name}" already exists`, 409) : e;
  }

  /** The list, if the caller's divisions hold it; another division's list is as absent as a missing one. */
  async get(id: string, divisions: Divisions): Promise<DncListEntity> {
    const list = await this.db.getRepository(DncListEntity).findOneBy({ id });
    if (!list || !divisions.has(list.division)) throw new NotFoundError('dnc.list', id);
    return list;
  }

  async size(listId: string): Promise<number> {
    const [{ count }] = await this.db.query('SELECT count(*)::int AS count FROM dnc.dnc_entry WHERE list_id = $1', [listId]);
    return count;
  }

  async getResource(id: string, divisions: Divisions, includeSize: boolean, includeImportStatus: boolean) {
    const list = await this.get(id, divisions);
    return this.toResource(list, { size: includeSize ? await this.size(id) : undefined, includeImportStatus });
  }

  async list(
    divisions: Divisions,
    q: Page & { name?: string; filterType?: 'Prefix' | 'Contains'; dncSourceType?: string; includeSize: boolean; includeImportStatus: boolean; divisionId?: string | string[] },
  ) {
    const qb = this.db.getRepository(DncListEntity).createQueryBuilder('l');
    const visible = divisions.visible(q.divisionId);
    if (visible) qb.where('l.division = ANY(:visible)', { visible });
    if (q.name) {
      const escaped = q.name.replace(/[\\%_]/g, '\\$&');
      qb.andWhere('l.name ILIKE :n', { n: q.filterType === 'Contains' ? `%${escaped}%` : `${escaped}%` });
    }
    if (q.dncSourceType) qb.andWhere('l.dnc_source_type = :t', { t: q.dncSourceType });
    return listingOf(qb.orderBy('l.name'), q, async (rows) => {
      const sizes = new Map<string, number>();
      if (q.includeSize && rows.length) {
        const counted: { list_id: string; count: number }[] = await this.db.query(
          'SELECT list_id, count(*)::int AS count FROM dnc.dnc_entry WHERE list_id = ANY($1) GROUP BY list_id',
          [rows.map((r) => r.id)],
        );
        for (const c of counted) sizes.set(c.list_id, c.count);
      }
      return rows.map((r) => this.toResource(r, { size: q.includeSize ? (sizes.get(r.id) ?? 0) : undefined, includeImportStatus: q.includeImportStatus }));
    });
  }

  async update(id: string, dto: DncListDto, divisions: Divisions) {
    this.check(dto);
    const list = await this.get(id, divisions);
    const division = await divisions.target(dto.division?.id, list.division);
    if (dto.version === undefined) throw new DomainError('version.required', 'version is required to update a DNC list', 400);
    if (dto.version !== list.version) throw new VersionConflictError('dnc.list', id, dto.version, list.version);
    const contactMethod = dto.contactMethod ?? list.contactMethod;
    if (contactMethod !== list.contactMethod && contactMethod !== 'Any') {
      // Narrowing the method must not leave entries the list no longer takes.
      const other = contactMethod === 'Phone' ? `address LIKE '%@%'` : `address NOT LIKE '%@%'`;
      const [conflict] = await this.db.query(`SELECT 1 FROM dnc.dnc_entry WHERE list_id = $1 AND ${other} LIMIT 1`, [id]);
      if (conflict) {
        throw new DomainError(
          'dnc.list.contact.method.conflict',
          `DNC list ${id} holds ${contactMethod === 'Phone' ? 'email addresses' : 'phone numbers'}; remove them before changing contactMethod to ${contactMethod}`,
          400,
        );
      }
    }
    let affected: number | undefined;
    try {
      ({ affected } = await this.db
        .createQueryBuilder()
        .update(DncListEntity)
        .set({ name: dto.name, division, contactMethod, defaultRegion: dto.defaultPhoneRegion ?? list.defaultRegion, version: list.version + 1, dateModified: new Date() })
        .where('id = :id AND version = :v', { id, v: list.version })
        .execute());
    } catch (e) {
      throw this.nameTaken(e, dto.name);
    }
    if (affected !== 1) throw new VersionConflictError('dnc.list', id, dto.version, list.version + 1);
    return this.toResource(await this.get(id, divisions));
  }

  /** Deletes the list and its entries (Genesys allows it; campaigns naming the list simply stop matching it). */
  async remove(id: string, divisions: Divisions): Promise<void> {
    if (importStatusOf(await this.get(id, divisions))?.state === 'IN_PROGRESS') {
      throw new DomainError('dnc.list.import.in.progress', `DNC list ${id} has an import in progress; delete it once the import has finished`, 409);
    }
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM dnc.dnc_entry WHERE list_id = $1', [id]);
      await tx.getRepository(DncListEntity).delete({ id });
    });
  }
}
