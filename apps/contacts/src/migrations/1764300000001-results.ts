import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Time zone sources on contact lists, the last result per contact and channel, and requested
 * exports.
 */
export class Results1764300000001 implements MigrationInterface {
  name = 'Results1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contacts.contact_list
        ADD COLUMN automatic_time_zone_mapping boolean NOT NULL DEFAULT false,
        ADD COLUMN zip_code_column text,
        ADD COLUMN time_zone_column text`);
    // The last attempt per contact and channel (a later attempt replaces it; a delivery receipt
    // for the same message updates its outcome). attempted_at: when the attempt's result
    // occurred; occurred_at: the latest event applied to the row.
    await q.query(`
      CREATE TABLE contacts.contact_result (
        list_id uuid NOT NULL,
        contact_id text NOT NULL,
        channel text NOT NULL,
        campaign_id uuid,
        run_id uuid,
        message_id uuid NOT NULL,
        outcome text NOT NULL,
        reason text,
        dnc_list_id uuid,
        attempted_at timestamptz NOT NULL,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (list_id, contact_id, channel),
        FOREIGN KEY (list_id, contact_id) REFERENCES contacts.contact (list_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX contact_result_message ON contacts.contact_result (message_id)`);
    await q.query(`
      CREATE TABLE contacts.contact_list_export (
        list_id uuid PRIMARY KEY REFERENCES contacts.contact_list (id) ON DELETE CASCADE,
        export_id uuid NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contacts.contact_list_export');
    await q.query('DROP TABLE contacts.contact_result');
    await q.query(`
      ALTER TABLE contacts.contact_list
        DROP COLUMN automatic_time_zone_mapping, DROP COLUMN zip_code_column, DROP COLUMN time_zone_column`);
  }
}
