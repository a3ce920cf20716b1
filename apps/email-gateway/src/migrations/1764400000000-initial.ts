import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764400000000 implements MigrationInterface {
  name = 'Initial1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // The send ledger (libs/sending): a message is claimed here before SES is called, so that only
    // one attempt per message id ever reaches the provider.
    await q.query(`
      CREATE TABLE email.send_attempt (
        message_id uuid PRIMARY KEY,
        division text NOT NULL,
        campaign_id uuid,
        run_id uuid,
        contact_id text,
        sender text NOT NULL,
        state text NOT NULL,
        provider_message_id text,
        reason text,
        detail text,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX send_attempt_unfinished ON email.send_attempt (claimed_at) WHERE state = 'claimed'`);
    // Sending domains (Genesys outbound domains): the id is the domain name.
    await q.query(`
      CREATE TABLE email.sending_domain (
        id text PRIMARY KEY,
        division text NOT NULL,
        sender_type text NOT NULL,
        verified boolean NOT NULL,
        dkim_status text NOT NULL,
        dkim_records jsonb NOT NULL DEFAULT '[]',
        date_created timestamptz NOT NULL DEFAULT now(),
        date_checked timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE email.sending_domain');
    await q.query('DROP TABLE email.send_attempt');
  }
}
