import { DEFAULT_FETCH } from '@herald/messaging';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, IsUrl, Matches, Max, Min, ValidationError, validateSync } from 'class-validator';

/** Variables every Herald service reads. Each app extends this with its own, in `src/config.ts`. */
export class ServiceConfig {
  @IsInt() @Min(1) @Max(65535) PORT!: number;
  @IsString() HOST = '127.0.0.1';
  @Matches(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX = '';
  /** A consumer fetch waits for this many bytes (or KAFKA_FETCH_MAX_WAIT_MS): bigger batches under load. */
  @IsInt() @Min(1) @Max(50 * 1024 * 1024) KAFKA_FETCH_MIN_BYTES: number = DEFAULT_FETCH.minBytes;
  /** The longest a consumer fetch waits for KAFKA_FETCH_MIN_BYTES: what a lone message may wait per hop. */
  @IsInt() @Min(0) @Max(10_000) KAFKA_FETCH_MAX_WAIT_MS: number = DEFAULT_FETCH.maxWaitMs;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace']) LOG_LEVEL = 'info';
}

/** How every HTTP service verifies access tokens; read by runService itself, so no service can skip it. */
export class AuthConfig {
  /** Where the edge publishes the public keys that sign access tokens (JWKS). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) AUTH_JWKS_URL = 'http://127.0.0.1:8080/oauth/jwks';
  /** The edge's divisions (`/api/v2/authorization/divisions`): where a division named by a caller granted every division is checked. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) AUTH_DIVISIONS_URL = 'http://127.0.0.1:8080/api/v2/authorization/divisions';
  /** The `iss` every access token must carry. */
  @IsString() @IsNotEmpty() AUTH_ISSUER = 'herald';
  /** The `aud` every access token must carry. */
  @IsString() @IsNotEmpty() AUTH_AUDIENCE = 'herald-api';
}

/** Adds DATABASE_URL for services that own a schema. */
export class DatabaseServiceConfig extends ServiceConfig {
  @Matches(/^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'DATABASE_URL must be a postgres:// URL naming a database' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/herald';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function problemsOf(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const constraints = Object.values(e.constraints ?? {});
    if (e.value === undefined || e.value === '') return [`${e.property} is missing (${constraints.join('; ')})`];
    // The value is not echoed: it may be a secret.
    return [`${e.property} is invalid: ${constraints.join('; ')}`];
  });
}

/** Reads and validates the environment into a config class; throws ConfigError naming each bad variable. */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const instance = plainToInstance(cls, { ...env }, { enableImplicitConversion: true, exposeDefaultValues: true });
  // whitelist: only the decorated variables are kept; the rest of the environment is not ours.
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(problemsOf(errors));
  return instance;
}

/** For entry points: load or exit(1) with a message naming every bad variable. */
export function loadConfigOrExit<T extends object>(cls: new () => T, service: string): T {
  try {
    return loadConfig(cls);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`herald-${service}: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
