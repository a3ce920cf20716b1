import { MigrationInterface, QueryRunner } from 'typeorm';

export class Divisions1765000000030 implements MigrationInterface {
  name = 'Divisions1765000000030';

  async up(q: QueryRunner): Promise<void> {
    // The home division keeps the id every resource was written with before divisions existed.
    await q.query(`
      CREATE TABLE edge.division (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text,
        home boolean NOT NULL DEFAULT false,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE UNIQUE INDEX division_name ON edge.division (lower(name))');
    await q.query(`INSERT INTO edge.division (id, name, description, home) VALUES ('home', 'Home', 'The division every resource belongs to unless another is named', true)`);
    // The divisions a client is granted: ids, or '*' for all. Existing clients saw the home division only.
    await q.query(`ALTER TABLE edge.oauth_client ADD COLUMN divisions text[] NOT NULL DEFAULT '{home}'`);
    await q.query('ALTER TABLE edge.oauth_client ALTER COLUMN divisions DROP DEFAULT');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE edge.oauth_client DROP COLUMN divisions');
    await q.query('DROP TABLE edge.division');
  }
}
