import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per message: its latest outcome and every outcome it went through.
    await q.query(`
      CREATE TABLE reporting.message_outcome (
        message_id uuid PRIMARY KEY,
        channel text NOT NULL,
        division text NOT NULL,
        campaign_id uuid,
        run_id uuid,
        contact_list_id uuid,
        contact_id text,
        outcome text NOT NULL,
        reason text,
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        history jsonb NOT NULL
      )`);
    await q.query('CREATE INDEX message_outcome_campaign ON reporting.message_outcome (campaign_id, run_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE reporting.message_outcome');
  }
}
