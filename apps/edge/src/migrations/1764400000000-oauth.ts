import { MigrationInterface, QueryRunner } from 'typeorm';

export class Oauth1764400000000 implements MigrationInterface {
  name = 'Oauth1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // Secrets are stored only as scrypt hashes; `previous_secret_hash` works until `previous_secret_expires_at`.
    await q.query(`
      CREATE TABLE edge.oauth_client (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text,
        authorized_grant_type text NOT NULL,
        scope text[] NOT NULL,
        access_token_validity_seconds integer NOT NULL,
        rate_limit_per_second integer,
        state text NOT NULL,
        secret_hash text NOT NULL,
        previous_secret_hash text,
        previous_secret_expires_at timestamptz,
        created_by text,
        modified_by text,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    // A key signs from `activates_at` until a newer key activates (`retired_at`), and stays in the
    // JWKS until `expires_at`, when every token it signed has expired.
    await q.query(`
      CREATE TABLE edge.signing_key (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_pkcs8 text NOT NULL,
        date_created timestamptz NOT NULL DEFAULT now(),
        activates_at timestamptz NOT NULL,
        retired_at timestamptz,
        expires_at timestamptz
      )`);
    await q.query('CREATE INDEX signing_key_activates_at ON edge.signing_key (activates_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE edge.signing_key');
    await q.query('DROP TABLE edge.oauth_client');
  }
}
