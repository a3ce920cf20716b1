import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { countSmsSegments } from '@herald/channels';
import { DomainError, NotFoundError, VersionConflictError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { emailTemplateProblem } from '../rendering/email-template';
import { parseTemplate, TemplateSyntaxError } from '../rendering/template-engine';
import { ResponseDto } from './dtos/response.dto';
import { ResponseEntity } from './response.entity';
import { listingOf, Page } from '@herald/persistence';
import { divisionRef, Divisions } from '@herald/auth';


@Injectable()
export class ResponsesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  toResource(r: ResponseEntity) {
    const body = r.texts.find((t) => t.type !== 'subject') ?? r.texts[0]!;
    const sms = r.responseType === 'CampaignSmsTemplate' ? countSmsSegments(body.content) : undefined;
    return {
      id: r.id,
      name: r.name,
      version: r.version,
      /** Herald: the division the template belongs to (Genesys responses have none). */
      division: divisionRef(r.division),
      libraries: r.libraries,
      texts: r.texts,
      substitutions: r.substitutions,
      responseType: r.responseType,
      interactionType: 'Message',
      dateCreated: r.dateCreated.toISOString(),
      /** Herald: the template's SMS encoding and segment count, before substitution. */
      sms: sms && { encoding: sms.encoding, segments: sms.segments, characters: sms.characters },
      variables: [...new Set(r.texts.flatMap((t) => parseTemplate(t.content).variables))],
      selfUri: `/api/v2/responsemanagement/responses/${r.id}`,
    };
  }

  private check(dto: ResponseDto): void {
    for (const [i, text] of dto.texts.entries()) {
      try {
        parseTemplate(text.content);
      } catch (e) {
        if (e instanceof TemplateSyntaxError) throw new DomainError('template.syntax', `texts[${i}]: ${e.message}`, 400);
        throw e;
      }
    }
    if (dto.responseType === 'CampaignEmailTemplate') {
      const problem = emailTemplateProblem(dto.texts);
      if (problem) throw new DomainError('template.email.texts', problem, 400, [{ field: 'texts', reason: problem }]);
    }
    const ids = (dto.substitutions ?? []).map((s) => s.id);
    if (new Set(ids).size !== ids.length) throw new DomainError('template.substitution.duplicate', 'substitution ids must be unique', 400);
  }

  async create(dto: ResponseDto, divisions: Divisions) {
    this.check(dto);
    const division = await divisions.target(dto.division?.id);
    const entity: ResponseEntity = {
      id: randomUUID(),
      name: dto.name,
      division,
      responseType: dto.responseType ?? 'CampaignSmsTemplate',
      libraries: dto.libraries.map((l) => ({ id: l.id, name: l.name })),
      texts: dto.texts.map((t) => ({ content: t.content, contentType: t.contentType ?? 'text/plain', type: t.type })),
      substitutions: dto.substitutions ?? [],
      version: 1,
      dateCreated: new Date(),
    };
    await this.db.getRepository(ResponseEntity).insert(entity);
    return this.toResource(entity);
  }

  /** The template, if the caller's divisions hold it; another division's is as absent as a missing one. */
  async get(id: string, divisions: Divisions): Promise<ResponseEntity> {
    const r = await this.db.getRepository(ResponseEntity).findOneBy({ id });
    if (!r || !divisions.has(r.division)) throw new NotFoundError('response', id);
    return r;
  }

  async getMany(ids: string[]): Promise<ResponseEntity[]> {
    if (ids.length === 0) return [];
    return this.db.getRepository(ResponseEntity).findBy(ids.map((id) => ({ id })));
  }

  async list(page: Page, divisions: Divisions, q: { libraryId?: string; divisionId?: string | string[] }) {
    const { libraryId } = q;
    const qb = this.db.getRepository(ResponseEntity).createQueryBuilder('r');
    const visible = divisions.visible(q.divisionId);
    if (visible) qb.where('r.division = ANY(:visible)', { visible });
    if (libraryId) qb.andWhere(`r.libraries @> :lib::jsonb`, { lib: JSON.stringify([{ id: libraryId }]) });
    return listingOf(qb.orderBy('r.name'), page, (rows) => rows.map((r) => this.toResource(r)));
  }

  async update(id: string, dto: ResponseDto, divisions: Divisions) {
    this.check(dto);
    const current = await this.get(id, divisions);
    const division = await divisions.target(dto.division?.id, current.division);
    if (dto.version === undefined) throw new DomainError('version.required', 'version is required to update a response', 400);
    if (dto.version !== current.version) throw new VersionConflictError('response', id, dto.version, current.version);
    const next: ResponseEntity = {
      ...current,
      name: dto.name,
      division,
      libraries: dto.libraries.map((l) => ({ id: l.id, name: l.name })),
      texts: dto.texts.map((t) => ({ content: t.content, contentType: t.contentType ?? 'text/plain', type: t.type })),
      substitutions: dto.substitutions ?? [],
      responseType: dto.responseType ?? current.responseType,
      version: current.version + 1,
    };
    const { id: _id, ...fields } = next;
    const r = await this.db.createQueryBuilder().update(ResponseEntity).set(fields).where('id = :id AND version = :v', { id, v: current.version }).execute();
    if (r.affected !== 1) throw new VersionConflictError('response', id, dto.version, current.version + 1);
    return this.toResource(next);
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    await this.get(id, divisions);
    await this.db.getRepository(ResponseEntity).delete({ id });
  }
}
