import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact sorts and filters of a campaign; what a stopping campaign waits for; the count of
 * terminal results kept per run (completion is checked per batch without counting rows).
 */
export class Lifecycle1764400000000 implements MigrationInterface {
  name = 'Lifecycle1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns.messaging_campaign
        ADD COLUMN contact_sorts jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN contact_list_filter_ids jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN stopping_since timestamptz`);
    // done: terminal results recorded (rows of run_result); dispatched: contacts dispatched as
    // contacts last reported; halted: contacts has stopped dispatching the run, so dispatched is final.
    await q.query(`
      ALTER TABLE campaigns.run_progress
        ADD COLUMN done integer NOT NULL DEFAULT 0,
        ADD COLUMN dispatched integer NOT NULL DEFAULT 0,
        ADD COLUMN halted boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE campaigns.run_progress p SET done = (SELECT count(*) FROM campaigns.run_result r WHERE r.run_id = p.run_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns.run_progress DROP COLUMN done, DROP COLUMN dispatched, DROP COLUMN halted');
    await q.query('ALTER TABLE campaigns.messaging_campaign DROP COLUMN contact_sorts, DROP COLUMN contact_list_filter_ids, DROP COLUMN stopping_since');
  }
}
