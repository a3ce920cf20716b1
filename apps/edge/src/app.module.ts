import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TokenVerifier } from '@herald/auth';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { json, urlencoded } from 'express';
import { EdgeConfig } from './config';
import { DivisionObjectCounts } from './divisions/division-object-counts';
import { DivisionEntity } from './divisions/division.entity';
import { DivisionsController } from './divisions/divisions.controller';
import { DivisionsService } from './divisions/divisions.service';
import { Oauth1764400000000 } from './migrations/1764400000000-oauth';
import { Divisions1765000000030 } from './migrations/1765000000030-divisions';
import { OAuthClientEntity } from './oauth/oauth-client.entity';
import { OAuthClientsController } from './oauth/oauth-clients.controller';
import { EDGE_CONFIG, OAuthClientsService } from './oauth/oauth-clients.service';
import { SigningKeyEntity } from './oauth/signing-key.entity';
import { SigningKeysController } from './oauth/signing-keys.controller';
import { SigningKeysService } from './oauth/signing-keys.service';
import { TokenController } from './oauth/token.controller';
import { TokenService } from './oauth/token.service';
import { OpenApiController } from './openapi/openapi.controller';
import { PublicApiDocument } from './openapi/public-api.document';
import { AccessMiddleware, EDGE_VERIFIER, RATE_LIMIT_PER_SECOND } from './routing/access.middleware';
import { MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES, ProxyMiddleware, ROUTES, UPSTREAM_TIMEOUT_MS } from './routing/proxy.middleware';
import { routesOf } from './routing/routes';

@Module({})
export class AppModule implements NestModule {
  static register(config: EdgeConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('edge', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'edge', entities: [OAuthClientEntity, SigningKeyEntity, DivisionEntity], migrations: [Oauth1764400000000, Divisions1765000000030], poolSize: 5 }),
        messagingModule('edge', config),
        HealthModule,
      ],
      controllers: [TokenController, OAuthClientsController, SigningKeysController, DivisionsController, OpenApiController],
      providers: [
        { provide: ROUTES, useValue: routesOf(config) },
        { provide: MAX_REQUEST_BYTES, useValue: config.MAX_REQUEST_BYTES },
        { provide: MAX_UPLOAD_BYTES, useValue: config.MAX_UPLOAD_BYTES },
        { provide: UPSTREAM_TIMEOUT_MS, useValue: config.UPSTREAM_TIMEOUT_MS },
        { provide: RATE_LIMIT_PER_SECOND, useValue: config.RATE_LIMIT_PER_SECOND },
        { provide: EDGE_CONFIG, useValue: config },
        {
          provide: EDGE_VERIFIER,
          inject: [SigningKeysService],
          useFactory: (keys: SigningKeysService) => new TokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys: keys.verificationKey }),
        },
        OAuthClientsService,
        SigningKeysService,
        TokenService,
        PublicApiDocument,
        DivisionsService,
        DivisionObjectCounts,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The edge streams proxied bodies untouched; only its own endpoints parse theirs.
    consumer.apply(urlencoded({ extended: false, limit: 16 * 1024 })).forRoutes({ path: 'oauth/token', method: RequestMethod.POST });
    consumer.apply(AccessMiddleware).forRoutes('api/*path');
    consumer.apply(json({ limit: 64 * 1024 })).forRoutes(OAuthClientsController, SigningKeysController, DivisionsController);
    consumer.apply(ProxyMiddleware).forRoutes('api/*path');
  }
}
