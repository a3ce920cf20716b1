import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CLOCK_TOLERANCE_SECONDS, TOKEN_ALGORITHM } from '@herald/auth';
import { calculateJwkThumbprint, errors, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, JWK, JWTVerifyGetKey, KeyLike } from 'jose';
import { DataSource, IsNull, LessThan, LessThanOrEqual, MoreThan } from 'typeorm';
import { EdgeConfig } from '../config';
import { EDGE_CONFIG } from './oauth-clients.service';
import { SigningKeyEntity } from './signing-key.entity';

const LOCK = 'herald:edge:signing-key';

/**
 * The keys that sign access tokens (ES256), kept in the edge's schema so that every edge
 * instance signs with the same key. Rotation publishes the new key in the JWKS
 * SIGNING_KEY_PUBLISH_SECONDS before it signs (so services that cached the JWKS find it), and
 * keeps the old one published until every token it signed has expired.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private readonly privateKeys = new Map<string, Promise<KeyLike>>();
  private publicKeys = new Map<string, Promise<KeyLike | Uint8Array>>();
  private publicKeysLoadedAt = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  private get repo() {
    return this.db.getRepository(SigningKeyEntity);
  }

  /** A first key, active at once, when there is none (instances starting together create one). */
  async onModuleInit(): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK]);
      if ((await m.count(SigningKeyEntity)) === 0) await m.insert(SigningKeyEntity, await this.newKey(new Date()));
    });
  }

  private async newKey(activatesAt: Date): Promise<SigningKeyEntity> {
    const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return {
      kid,
      alg: TOKEN_ALGORITHM,
      publicJwk: { ...jwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' },
      privatePkcs8: await exportPKCS8(privateKey),
      dateCreated: new Date(),
      activatesAt,
      retiredAt: null,
      expiresAt: null,
    };
  }

  /**
   * Rotates: a new key is published now and signs from SIGNING_KEY_PUBLISH_SECONDS on; the keys
   * it replaces stop signing then and leave the JWKS ACCESS_TOKEN_MAX_SECONDS later. Keys past
   * that are deleted.
   */
  async rotate(): Promise<SigningKeyEntity> {
    const activatesAt = new Date(Date.now() + this.config.SIGNING_KEY_PUBLISH_SECONDS * 1000);
    const expiresAt = new Date(activatesAt.getTime() + (this.config.ACCESS_TOKEN_MAX_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000);
    const key = await this.newKey(activatesAt);
    await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK]);
      await m.delete(SigningKeyEntity, { expiresAt: LessThan(new Date()) });
      await m.update(SigningKeyEntity, { retiredAt: IsNull() }, { retiredAt: activatesAt, expiresAt });
      await m.insert(SigningKeyEntity, key);
    });
    this.logger.log({ msg: 'signing key rotated', kid: key.kid, activatesAt: activatesAt.toISOString() });
    return key;
  }

  /** The keys in the JWKS: not yet expired, the next one included. */
  published(): Promise<SigningKeyEntity[]> {
    return this.repo.find({ where: [{ expiresAt: IsNull() }, { expiresAt: MoreThan(new Date()) }], order: { activatesAt: 'DESC' } });
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.published()).map((k) => k.publicJwk) };
  }

  /** The key that signs now: the latest one whose time has come. */
  async current(): Promise<{ kid: string; key: KeyLike }> {
    const k = await this.repo.findOne({ where: { activatesAt: LessThanOrEqual(new Date()) }, order: { activatesAt: 'DESC' } });
    if (!k) throw new Error('no signing key is active');
    if (!this.privateKeys.has(k.kid)) this.privateKeys.set(k.kid, importPKCS8(k.privatePkcs8, k.alg));
    return { kid: k.kid, key: await this.privateKeys.get(k.kid)! };
  }

  /** For the edge's own verification: the published key a token names, reloaded (at most every second) when unknown. */
  readonly verificationKey: JWTVerifyGetKey = async (header) => {
    const stale = Date.now() - this.publicKeysLoadedAt;
    if (stale > 60_000 || (header.kid && !this.publicKeys.has(header.kid) && stale > 1_000)) {
      this.publicKeysLoadedAt = Date.now();
      const keys = await this.published();
      this.publicKeys = new Map(keys.map((k) => [k.kid, importJWK(k.publicJwk, k.alg)]));
    }
    const key = header.kid ? this.publicKeys.get(header.kid) : undefined;
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}
