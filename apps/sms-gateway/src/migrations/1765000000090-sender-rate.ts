import { MigrationInterface, QueryRunner } from 'typeorm';

export class SenderRate1765000000090 implements MigrationInterface {
  name = 'SenderRate1765000000090';

  async up(q: QueryRunner): Promise<void> {
    // Provider calls per sender number in the current one-second window, shared by every
    // instance (libs/sending SenderRateLimiter; rate-limiter-flexible's Postgres table shape).
    await q.query('CREATE TABLE sms.sender_rate (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sms.sender_rate');
  }
}
