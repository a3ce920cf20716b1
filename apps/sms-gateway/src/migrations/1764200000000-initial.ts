import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // The send ledger: a message is claimed here before the provider is called, so that only
    // one attempt per message id ever reaches the provider.
    await q.query(`
      CREATE TABLE sms.send_attempt (
        message_id uuid PRIMARY KEY,
        division text NOT NULL,
        campaign_id uuid,
        run_id uuid,
        contact_id text,
        origination text NOT NULL,
        segments integer NOT NULL,
        state text NOT NULL,
        provider_message_id text,
        reason text,
        detail text,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX send_attempt_unfinished ON sms.send_attempt (claimed_at) WHERE state = 'claimed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sms.send_attempt');
  }
}
