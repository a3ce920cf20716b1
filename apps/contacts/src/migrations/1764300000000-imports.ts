import { MigrationInterface, QueryRunner } from 'typeorm';

/** CSV imports into contact lists: one row per import (its live progress) and its rejected rows. */
export class Imports1764300000000 implements MigrationInterface {
  name = 'Imports1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts.contact_import (
        id uuid PRIMARY KEY,
        list_id uuid NOT NULL REFERENCES contacts.contact_list (id) ON DELETE CASCADE,
        state text NOT NULL,
        contact_id_column text,
        rows_read bigint NOT NULL DEFAULT 0,
        imported bigint NOT NULL DEFAULT 0,
        rejected bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        total_bytes bigint,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        error text,
        error_code text
      )`);
    await q.query(`CREATE INDEX contact_import_list ON contacts.contact_import (list_id, started_at DESC)`);
    // The first 10,000 problems of an import (its counts stay exact); one row per problem.
    await q.query(`
      CREATE TABLE contacts.contact_import_rejection (
        import_id uuid NOT NULL REFERENCES contacts.contact_import (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        row_number bigint NOT NULL,
        "column" text,
        reason text NOT NULL,
        raw text NOT NULL,
        PRIMARY KEY (import_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contacts.contact_import_rejection');
    await q.query('DROP TABLE contacts.contact_import');
  }
}
