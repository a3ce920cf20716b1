import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns.messaging_campaign (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        division text NOT NULL,
        status text NOT NULL,
        run_id uuid NOT NULL,
        contact_list_id uuid NOT NULL,
        dnc_list_ids jsonb NOT NULL DEFAULT '[]',
        messages_per_minute integer NOT NULL,
        always_running boolean NOT NULL DEFAULT false,
        sms_config jsonb,
        errors jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL DEFAULT 1,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX messaging_campaign_name ON campaigns.messaging_campaign (division, lower(name))`);
    // Progress of a campaign's current run: the audience size from contacts, the outcomes from results.
    await q.query(`
      CREATE TABLE campaigns.run_progress (
        run_id uuid PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns.messaging_campaign (id) ON DELETE CASCADE,
        total integer NOT NULL DEFAULT 0,
        exhausted boolean NOT NULL DEFAULT false,
        audience_known boolean NOT NULL DEFAULT false
      )`);
    // One row per message with a terminal outcome: counting is idempotent under redelivery.
    await q.query(`
      CREATE TABLE campaigns.run_result (
        run_id uuid NOT NULL,
        message_id uuid NOT NULL,
        outcome text NOT NULL,
        reason text,
        PRIMARY KEY (run_id, message_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaigns.run_result');
    await q.query('DROP TABLE campaigns.run_progress');
    await q.query('DROP TABLE campaigns.messaging_campaign');
  }
}
