import { INestApplication, Logger as NestLogger, Type, ValidationPipe } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AuthGuard, DivisionDirectory, RemoteDivisionDirectory, rememberCallerAuthorization, TokenVerifier } from '@herald/auth';
import { connectKafka } from '@herald/messaging';
import { Logger } from 'nestjs-pino';
import { AuthConfig, loadConfigOrExit } from './config';
import { ErrorBodyFilter } from './errors';
import { SERVICE_DOCUMENT_PATH, serviceDocument } from './openapi';

export interface RunOptions {
  service: string;
  module: Type | import('@nestjs/common').DynamicModule;
  port: number;
  host: string;
  /** How access tokens are verified; default: against the JWKS at AUTH_JWKS_URL (AuthConfig; the edge brings its own). */
  verifier?: (app: INestApplication) => TokenVerifier;
  /** Whether a division exists; default: asked of the edge at AUTH_DIVISIONS_URL (the edge brings its own). */
  divisions?: (app: INestApplication) => DivisionDirectory;
  /** Whether the service consumes Kafka (has @EventPattern handlers). */
  kafka?: boolean;
  /** False for a service that streams bodies through (the edge). */
  bodyParser?: boolean;
  /** Largest JSON body accepted (default 5 MiB); larger requests get 413. */
  maxBodyBytes?: number;
  configure?: (app: INestApplication) => void;
}

/**
 * Starts a Herald service: JSON logs, validation of request bodies, the access-token guard on
 * every HTTP handler (libs/auth: a valid bearer token unless `@Public()`, plus the handler's
 * `@RequirePermissions`; the caller's divisions for `@CallerDivisions()`), its OpenAPI document at `/openapi/service.json`, the Kafka batch
 * transport, HTTP; drains in-flight work on SIGTERM/SIGINT (Nest closes the consumer before the
 * producer and the database). A failure to start exits non-zero.
 */
export async function runService(options: RunOptions): Promise<INestApplication> {
  // Checked before anything starts, like the app's own configuration.
  const auth = options.verifier && options.divisions ? undefined : loadConfigOrExit(AuthConfig, options.service);
  try {
    const app = await NestFactory.create<NestExpressApplication>(options.module, { bufferLogs: true, bodyParser: false });
    app.useLogger(app.get(Logger));
    app.use(rememberCallerAuthorization);
    if (options.bodyParser !== false) {
      // 1,000 contacts per request (the API's limit) is well over Express' default 100 kB.
      app.useBodyParser('json', { limit: options.maxBodyBytes ?? 5 * 1024 * 1024 });
      app.useBodyParser('urlencoded', { limit: 64 * 1024, extended: false });
    }
    app.enableShutdownHooks();
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    app.useGlobalFilters(new ErrorBodyFilter());
    const verifier = options.verifier?.(app) ?? remoteVerifier(auth!);
    const divisions = options.divisions?.(app) ?? new RemoteDivisionDirectory(auth!.AUTH_DIVISIONS_URL);
    app.useGlobalGuards(new AuthGuard(app.get(Reflector), verifier, divisions));
    options.configure?.(app);
    // Built on first request, not at boot: the edge asks for it only when its document is read.
    let document: ReturnType<typeof serviceDocument> | undefined;
    const http = app.getHttpAdapter();
    http.get(SERVICE_DOCUMENT_PATH, (_req: unknown, res: unknown) => http.reply(res, (document ??= serviceDocument(app, options.service)), 200));
    if (options.kafka !== false) {
      connectKafka(app);
      await app.startAllMicroservices();
    }
    await app.listen(options.port, options.host);
    app.get(Logger).log({ msg: 'started', service: options.service, port: options.port });
    return app;
  } catch (e) {
    new NestLogger('bootstrap').error({ msg: 'failed to start', service: options.service, err: (e as Error)?.message });
    process.stderr.write(`herald-${options.service}: failed to start: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  }
}

function remoteVerifier(auth: AuthConfig): TokenVerifier {
  return TokenVerifier.remote({ jwksUrl: auth.AUTH_JWKS_URL, issuer: auth.AUTH_ISSUER, audience: auth.AUTH_AUDIENCE });
}
