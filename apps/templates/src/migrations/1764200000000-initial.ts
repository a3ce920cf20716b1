import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE templates.response (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        division text NOT NULL,
        response_type text NOT NULL,
        libraries jsonb NOT NULL DEFAULT '[]',
        texts jsonb NOT NULL,
        substitutions jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL DEFAULT 1,
        date_created timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE templates.response');
  }
}
