import { MigrationInterface, QueryRunner } from 'typeorm';

/** Pre-launch previews (dry runs) of campaigns: their progress and, once done, their figures. */
export class Previews1764480000000 implements MigrationInterface {
  name = 'Previews1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns.campaign_preview (
        id uuid PRIMARY KEY,
        campaign_id uuid NOT NULL REFERENCES campaigns.messaging_campaign (id) ON DELETE CASCADE,
        state text NOT NULL,
        total integer,
        processed integer NOT NULL DEFAULT 0,
        result jsonb,
        failure_reason text,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now(),
        date_completed timestamptz
      )`);
    await q.query('CREATE INDEX campaign_preview_campaign ON campaigns.campaign_preview (campaign_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaigns.campaign_preview');
  }
}
