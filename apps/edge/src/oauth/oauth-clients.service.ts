import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ALL_DIVISIONS, Divisions, missingPermissions, Principal } from '@herald/auth';
import { listingOf, Page } from '@herald/persistence';
import { DomainError, NotFoundError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { DivisionEntity } from '../divisions/division.entity';
import { EdgeConfig } from '../config';
import { hashClientSecret, newClientSecret, UNKNOWN_CLIENT_HASH, verifyClientSecret } from './client-secret';
import { OAuthClientDto } from './dtos/oauth-client.dto';
import { OAuthClientEntity } from './oauth-client.entity';

export const EDGE_CONFIG = Symbol('EDGE_CONFIG');
/** Every permission: what the bootstrap client holds. */
export const ALL_PERMISSIONS = '*:*:*';
const DEFAULT_VALIDITY_SECONDS = 3_600;

/**
 * OAuth clients (Genesys `/api/v2/oauth/clients`): their permissions, the divisions they are
 * granted, and their secrets as hashes only. A caller sees (and manages) a client only if it holds
 * every division that client is granted, and grants only permissions and divisions it holds.
 */
@Injectable()
export class OAuthClientsService implements OnModuleInit {
  private readonly logger = new Logger(OAuthClientsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  private get repo() {
    return this.db.getRepository(OAuthClientEntity);
  }

  /** Creates the bootstrap client, or brings its secret and permissions back to the environment's. */
  async onModuleInit(): Promise<void> {
    const id = this.config.HERALD_BOOTSTRAP_CLIENT_ID;
    const secret = this.config.HERALD_BOOTSTRAP_CLIENT_SECRET;
    if (!id || !secret) return;
    const existing = await this.repo.findOneBy({ id });
    if (existing && (await verifyClientSecret(secret, existing.secretHash)) && existing.scope.includes(ALL_PERMISSIONS) && existing.divisions.includes(ALL_DIVISIONS) && existing.state === 'active') return;
    const now = new Date();
    // upsert: edge instances starting together may both get here.
    await this.repo.upsert({
      id,
      name: existing?.name ?? 'Bootstrap admin (HERALD_BOOTSTRAP_CLIENT_ID)',
      description: existing?.description ?? 'Created at boot from the environment; replace it with clients of your own.',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      scope: [ALL_PERMISSIONS],
      divisions: [ALL_DIVISIONS],
      accessTokenValiditySeconds: existing?.accessTokenValiditySeconds ?? DEFAULT_VALIDITY_SECONDS,
      rateLimitPerSecond: existing?.rateLimitPerSecond ?? null,
      state: 'active',
      secretHash: await hashClientSecret(secret),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      createdBy: existing?.createdBy ?? null,
      modifiedBy: null,
      dateCreated: existing?.dateCreated ?? now,
      dateModified: now,
    }, ['id']);
    this.logger.log({ msg: existing ? 'bootstrap client updated' : 'bootstrap client created', clientId: id });
  }

  toResource(c: OAuthClientEntity, secret?: string) {
    return {
      id: c.id,
      name: c.name,
      description: c.description ?? undefined,
      authorizedGrantType: c.authorizedGrantType,
      scope: c.scope,
      divisionIds: c.divisions,
      accessTokenValiditySeconds: c.accessTokenValiditySeconds,
      rateLimitPerSecond: c.rateLimitPerSecond ?? undefined,
      state: c.state,
      ...(secret ? { secret } : {}),
      roleIds: [],
      dateCreated: c.dateCreated.toISOString(),
      dateModified: c.dateModified.toISOString(),
      createdBy: c.createdBy ? { id: c.createdBy, selfUri: `/api/v2/oauth/clients/${c.createdBy}` } : undefined,
      modifiedBy: c.modifiedBy ? { id: c.modifiedBy, selfUri: `/api/v2/oauth/clients/${c.modifiedBy}` } : undefined,
      selfUri: `/api/v2/oauth/clients/${c.id}`,
    };
  }

  /** Whether the caller holds every division the client is granted (`*` takes `*`). */
  private visible(c: OAuthClientEntity, divisions: Divisions): boolean {
    return c.divisions.every((d) => (d === ALL_DIVISIONS ? divisions.all : divisions.has(d)));
  }

  /**
   * The divisions the client will be granted: `divisionIds` if given, each held by the caller (403)
   * and existing (400); else an update keeps the client's, and a create takes the caller's
   * default (the home division if it holds it, else its only one).
   */
  private async grantedDivisions(dto: OAuthClientDto, divisions: Divisions, current?: string[]): Promise<string[]> {
    if (dto.divisionIds === undefined) return current ?? [await divisions.target(undefined)];
    const notHeld = dto.divisionIds.filter((d) => (d === ALL_DIVISIONS ? !divisions.all : !divisions.has(d)));
    if (notHeld.length) {
      throw new DomainError('oauth.client.division.not.held', `a client can only grant divisions it holds; the caller does not hold ${notHeld.join(', ')}`, 403, notHeld.map((divisionId) => ({ divisionId })));
    }
    const ids = dto.divisionIds.filter((d) => d !== ALL_DIVISIONS);
    const found = new Set((await this.db.getRepository(DivisionEntity).findBy({ id: In(ids) })).map((d) => d.id));
    const unknown = ids.filter((d) => !found.has(d));
    if (unknown.length) throw new DomainError('division.not.found', `divisionIds: no division ${unknown.join(', ')}`, 400, unknown.map((divisionId) => ({ divisionId })));
    return dto.divisionIds.includes(ALL_DIVISIONS) ? [ALL_DIVISIONS] : dto.divisionIds;
  }

  /** A client may hand out only permissions it holds itself: no escalation through this API. */
  private checkGrantable(dto: OAuthClientDto, caller: Principal): void {
    const missing = missingPermissions(caller.permissions, dto.scope ?? []);
    if (missing.length) {
      throw new DomainError('oauth.client.scope.not.held', `a client can only grant permissions it holds; the caller lacks ${missing.join(', ')}`, 403, missing.map((permission) => ({ permission })));
    }
    const validity = dto.accessTokenValiditySeconds;
    if (validity !== undefined && validity > this.config.ACCESS_TOKEN_MAX_SECONDS) {
      throw new DomainError('bad.request', `accessTokenValiditySeconds must be at most ${this.config.ACCESS_TOKEN_MAX_SECONDS} (ACCESS_TOKEN_MAX_SECONDS)`, 400);
    }
  }

  async create(dto: OAuthClientDto, caller: Principal, divisions: Divisions) {
    this.checkGrantable(dto, caller);
    const granted = await this.grantedDivisions(dto, divisions);
    const secret = newClientSecret();
    const now = new Date();
    const entity: OAuthClientEntity = {
      id: randomUUID(),
      name: dto.name,
      description: dto.description ?? null,
      authorizedGrantType: dto.authorizedGrantType,
      scope: [...new Set(dto.scope ?? [])],
      divisions: granted,
      accessTokenValiditySeconds: dto.accessTokenValiditySeconds ?? DEFAULT_VALIDITY_SECONDS,
      rateLimitPerSecond: dto.rateLimitPerSecond ?? null,
      state: dto.state ?? 'active',
      secretHash: await hashClientSecret(secret),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      createdBy: caller.clientId,
      modifiedBy: caller.clientId,
      dateCreated: now,
      dateModified: now,
    };
    await this.repo.insert(entity);
    this.logger.log({ msg: 'oauth client created', clientId: entity.id, by: caller.clientId });
    return this.toResource(entity, secret);
  }

  list(page: Page, divisions: Divisions) {
    const qb = this.repo.createQueryBuilder('c').orderBy('c.name').addOrderBy('c.id');
    // A client granted `*` is listed to callers granted `*` only (it is not contained in any list of ids).
    if (!divisions.all) qb.where('c.divisions <@ CAST(:granted AS text[])', { granted: divisions.granted });
    return listingOf(qb, page, (rows) => rows.map((r) => this.toResource(r)));
  }

  async get(id: string, divisions: Divisions): Promise<OAuthClientEntity> {
    const found = await this.repo.findOneBy({ id });
    if (!found || !this.visible(found, divisions)) throw new NotFoundError('oauth.client', id);
    return found;
  }

  async update(id: string, dto: OAuthClientDto, caller: Principal, divisions: Divisions) {
    this.checkGrantable(dto, caller);
    const c = await this.get(id, divisions);
    const granted = await this.grantedDivisions(dto, divisions, c.divisions);
    Object.assign(c, {
      name: dto.name,
      description: dto.description ?? null,
      authorizedGrantType: dto.authorizedGrantType,
      scope: [...new Set(dto.scope ?? [])],
      divisions: granted,
      accessTokenValiditySeconds: dto.accessTokenValiditySeconds ?? c.accessTokenValiditySeconds,
      rateLimitPerSecond: dto.rateLimitPerSecond ?? null,
      state: dto.state ?? c.state,
      modifiedBy: caller.clientId,
      dateModified: new Date(),
    });
    await this.repo.save(c);
    return this.toResource(c);
  }

  async remove(id: string, divisions: Divisions): Promise<void> {
    await this.get(id, divisions);
    const { affected } = await this.repo.delete({ id });
    if (!affected) throw new NotFoundError('oauth.client', id);
  }

  /** A new secret; the previous one keeps working for SECRET_ROTATION_OVERLAP_SECONDS. */
  async rotateSecret(id: string, caller: Principal, divisions: Divisions) {
    const c = await this.get(id, divisions);
    const secret = newClientSecret();
    const now = new Date();
    const overlap = this.config.SECRET_ROTATION_OVERLAP_SECONDS;
    c.previousSecretHash = overlap > 0 ? c.secretHash : null;
    c.previousSecretExpiresAt = overlap > 0 ? new Date(now.getTime() + overlap * 1000) : null;
    c.secretHash = await hashClientSecret(secret);
    c.modifiedBy = caller.clientId;
    c.dateModified = now;
    await this.repo.save(c);
    this.logger.log({ msg: 'oauth client secret rotated', clientId: id, previousSecretValidUntil: c.previousSecretExpiresAt?.toISOString() ?? null });
    return this.toResource(c, secret);
  }

  /**
   * The active client these credentials authenticate, or undefined. An unknown client costs the
   * same hash computation as a known one.
   */
  async authenticate(id: string, secret: string): Promise<OAuthClientEntity | undefined> {
    const c = id.length <= 256 ? await this.repo.findOneBy({ id }) : null;
    if (!c) {
      await verifyClientSecret(secret, UNKNOWN_CLIENT_HASH);
      return undefined;
    }
    let ok = await verifyClientSecret(secret, c.secretHash);
    if (!ok && c.previousSecretHash && c.previousSecretExpiresAt && c.previousSecretExpiresAt > new Date()) {
      ok = await verifyClientSecret(secret, c.previousSecretHash);
    }
    return ok && c.state === 'active' ? c : undefined;
  }
}
