import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's pacing state, on its row so that every contacts instance paces it from the same figures
 * (see dispatch/pacing.ts): the next contact's slot (epoch ms) and the last second's dispatches.
 */
export class Pacing1764480000000 implements MigrationInterface {
  name = 'Pacing1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contacts.dispatch_run
        ADD COLUMN pace_next_due_ms double precision,
        ADD COLUMN pace_recent jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE contacts.dispatch_run DROP COLUMN pace_next_due_ms, DROP COLUMN pace_recent');
  }
}
