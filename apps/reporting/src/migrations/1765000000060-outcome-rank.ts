import { MigrationInterface, QueryRunner } from 'typeorm';

export class OutcomeRank1765000000060 implements MigrationInterface {
  name = 'OutcomeRank1765000000060';

  async up(q: QueryRunner): Promise<void> {
    // How strong the shown outcome is (results.projection.ts outcomeRank): provider receipts beat
    // attempt outcomes, stronger receipts weaker ones, engagements never show over another outcome.
    await q.query('ALTER TABLE reporting.message_outcome ADD COLUMN outcome_rank integer NOT NULL DEFAULT 0');
    await q.query(`
      UPDATE reporting.message_outcome SET outcome_rank = CASE outcome
        WHEN 'delivered' THEN 1 WHEN 'undelivered' THEN 2 WHEN 'bounced' THEN 3 WHEN 'complained' THEN 4
        WHEN 'opened' THEN -1 WHEN 'clicked' THEN -1 ELSE 0 END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE reporting.message_outcome DROP COLUMN outcome_rank');
  }
}
