import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contacts.contact_list (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        division text NOT NULL,
        column_names jsonb NOT NULL,
        phone_columns jsonb NOT NULL DEFAULT '[]',
        email_columns jsonb NOT NULL DEFAULT '[]',
        default_region text,
        trim_whitespace boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX contact_list_name ON contacts.contact_list (division, lower(name))`);
    await q.query(`
      CREATE TABLE contacts.contact (
        list_id uuid NOT NULL REFERENCES contacts.contact_list (id) ON DELETE CASCADE,
        id text NOT NULL,
        seq bigserial NOT NULL,
        data jsonb NOT NULL,
        priority boolean NOT NULL DEFAULT false,
        date_created timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (list_id, id)
      )`);
    await q.query(`
      CREATE TABLE contacts.dispatch_run (
        campaign_id uuid PRIMARY KEY,
        run_id uuid NOT NULL,
        division text NOT NULL,
        list_id uuid NOT NULL,
        status text NOT NULL,
        channel text NOT NULL,
        messages_per_minute integer NOT NULL,
        always_running boolean NOT NULL,
        config jsonb NOT NULL,
        total integer NOT NULL DEFAULT 0,
        dispatched integer NOT NULL DEFAULT 0,
        exhausted boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dispatch_run_list ON contacts.dispatch_run (list_id)`);
    // The run's audience, snapshotted when the run starts (and grown as contacts are added):
    // the dispatcher walks it in (priority, seq) order and marks each contact once dispatched.
    await q.query(`
      CREATE TABLE contacts.run_contact (
        run_id uuid NOT NULL,
        contact_id text NOT NULL,
        priority boolean NOT NULL,
        seq bigint NOT NULL,
        dispatched_at timestamptz,
        PRIMARY KEY (run_id, contact_id)
      )`);
    await q.query(`CREATE INDEX run_contact_pending ON contacts.run_contact (run_id, priority DESC, seq) WHERE dispatched_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contacts.run_contact');
    await q.query('DROP TABLE contacts.dispatch_run');
    await q.query('DROP TABLE contacts.contact');
    await q.query('DROP TABLE contacts.contact_list');
  }
}
