import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DivisionDirectory, Divisions } from '@herald/auth';
import { listingOf, Page } from '@herald/persistence';
import { DomainError, NotFoundError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DivisionObjectCounts } from './division-object-counts';
import { DivisionDto } from './division.dto';
import { DivisionEntity } from './division.entity';

/**
 * Genesys `/api/v2/authorization/divisions`: the tenants inside one Herald. A caller sees only the
 * divisions it is granted; creating and deleting divisions takes a grant of every division. The
 * home division exists from the first start and cannot be deleted, nor can a division that still
 * holds resources or is granted to an OAuth client.
 */
@Injectable()
export class DivisionsService implements DivisionDirectory {
  private readonly logger = new Logger(DivisionsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly counts: DivisionObjectCounts,
  ) {}

  private get repo() {
    return this.db.getRepository(DivisionEntity);
  }

  async toResource(d: DivisionEntity, withCounts = false) {
    return {
      id: d.id,
      name: d.name,
      description: d.description ?? '',
      homeDivision: d.home,
      ...(withCounts ? { objectCounts: await this.counts.of(d.id) } : {}),
      selfUri: `/api/v2/authorization/divisions/${d.id}`,
    };
  }

  /** For the edge's own guard (DivisionDirectory): whether a division exists, whoever asks. */
  async exists(id: string): Promise<boolean> {
    return this.repo.existsBy({ id });
  }

  async get(id: string, divisions: Divisions): Promise<DivisionEntity> {
    const found = divisions.has(id) ? await this.repo.findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('division', id);
    return found;
  }

  async home(divisions: Divisions): Promise<DivisionEntity> {
    const home = await this.repo.findOneByOrFail({ home: true });
    return this.get(home.id, divisions);
  }

  list(page: Page, divisions: Divisions, filter: { name?: string; id?: string | string[] }, withCounts: boolean) {
    const qb = this.repo.createQueryBuilder('d');
    const visible = divisions.visible(filter.id);
    if (visible) qb.andWhere('d.id = ANY(:visible)', { visible });
    if (filter.name) qb.andWhere('d.name ILIKE :n', { n: `%${filter.name.replace(/[%_\\]/g, '\\$&')}%` });
    return listingOf(qb.orderBy('d.home', 'DESC').addOrderBy('d.name').addOrderBy('d.id'), page, (rows) => Promise.all(rows.map((r) => this.toResource(r, withCounts))));
  }

  private requireAll(divisions: Divisions, action: string): void {
    if (!divisions.all) throw new DomainError('division.admin.required', `only a client granted every division ("*") may ${action} a division`, 403);
  }

  private async saved<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new DomainError('division.name.taken', `a division named "${name}" already exists`, 409);
      throw e;
    }
  }

  async create(dto: DivisionDto, divisions: Divisions) {
    this.requireAll(divisions, 'create');
    const now = new Date();
    const d: DivisionEntity = { id: randomUUID(), name: dto.name, description: dto.description ?? null, home: false, dateCreated: now, dateModified: now };
    await this.saved(dto.name, () => this.repo.insert(d));
    this.logger.log({ msg: 'division created', divisionId: d.id });
    return this.toResource(d);
  }

  async update(id: string, dto: DivisionDto, divisions: Divisions) {
    const d = await this.get(id, divisions);
    Object.assign(d, { name: dto.name, description: dto.description ?? null, dateModified: new Date() });
    await this.saved(dto.name, () => this.repo.save(d));
    return this.toResource(d);
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    const d = await this.get(id, divisions);
    this.requireAll(divisions, 'delete');
    if (d.home) throw new DomainError('division.home.undeletable', 'the home division cannot be deleted', 400);
    const counts = await this.counts.of(id);
    const held = Object.entries(counts).filter(([, n]) => n > 0);
    if (held.length) {
      throw new DomainError(
        'division.not.empty',
        `division ${id} still holds ${held.map(([kind, n]) => `${n} ${kind}`).join(', ')}; move or delete them (and revoke the division from OAuth clients) first`,
        409,
        [{ objectCounts: counts }],
      );
    }
    await this.repo.delete({ id });
    this.logger.log({ msg: 'division deleted', divisionId: id });
  }
}
