import { MigrationInterface, QueryRunner } from 'typeorm';

export class SendAttempts1765000000100 implements MigrationInterface {
  name = 'SendAttempts1765000000100';

  async up(q: QueryRunner): Promise<void> {
    // Provider calls made under claims of the message: EMAIL_SEND_GUARANTEE=at-least-once sends an
    // ambiguous message again until EMAIL_SEND_MAX_ATTEMPTS (libs/sending LedgeredSender).
    await q.query('ALTER TABLE email.send_attempt ADD COLUMN attempts integer NOT NULL DEFAULT 1');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE email.send_attempt DROP COLUMN attempts');
  }
}
