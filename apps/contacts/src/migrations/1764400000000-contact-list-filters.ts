import { MigrationInterface, QueryRunner } from 'typeorm';

/** Contact list filters (Genesys `ContactListFilter`): campaigns name them to narrow their audience. */
export class ContactListFilters1764400000000 implements MigrationInterface {
  name = 'ContactListFilters1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts.contact_list_filter (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        division text NOT NULL,
        list_id uuid NOT NULL REFERENCES contacts.contact_list (id) ON DELETE CASCADE,
        filter_type text NOT NULL,
        clauses jsonb NOT NULL,
        version integer NOT NULL DEFAULT 1,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX contact_list_filter_name ON contacts.contact_list_filter (division, lower(name))`);
    await q.query(`CREATE INDEX contact_list_filter_list ON contacts.contact_list_filter (list_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contacts.contact_list_filter');
  }
}
