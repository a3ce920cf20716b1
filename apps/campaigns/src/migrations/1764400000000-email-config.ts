import { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailConfig1764400000000 implements MigrationInterface {
  name = 'EmailConfig1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // Genesys EmailConfig of an email campaign; a campaign has either sms_config or email_config.
    await q.query('ALTER TABLE campaigns.messaging_campaign ADD COLUMN email_config jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns.messaging_campaign DROP COLUMN email_config');
  }
}
