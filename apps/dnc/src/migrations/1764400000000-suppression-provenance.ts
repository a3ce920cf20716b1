import { MigrationInterface, QueryRunner } from 'typeorm';

export class SuppressionProvenance1764400000000 implements MigrationInterface {
  name = 'SuppressionProvenance1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // Where an unsubscribe came from: the campaign and message whose List-Unsubscribe link was used.
    await q.query('ALTER TABLE dnc.suppression ADD COLUMN campaign_id uuid, ADD COLUMN message_id uuid');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE dnc.suppression DROP COLUMN message_id, DROP COLUMN campaign_id');
  }
}
