import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryState1765000000060 implements MigrationInterface {
  name = 'DeliveryState1765000000060';

  async up(q: QueryRunner): Promise<void> {
    // The per-message delivery state (libs/sending DeliveryTracker): the provider's latest word
    // (null, unknown, or a receipt), its reason, when it changed, and the engagements reported;
    // contact_list_id so that a receipt names the message's contact as its attempt did.
    await q.query(`
      ALTER TABLE sms.send_attempt
        ADD COLUMN contact_list_id uuid,
        ADD COLUMN delivery text,
        ADD COLUMN delivery_reason text,
        ADD COLUMN delivery_at timestamptz,
        ADD COLUMN engagement text[] NOT NULL DEFAULT '{}'`);
    // The stuck-message sweep: accepted messages still waiting for the provider's word.
    await q.query(`CREATE INDEX send_attempt_awaiting_delivery ON sms.send_attempt (finished_at) WHERE state = 'accepted' AND delivery IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX sms.send_attempt_awaiting_delivery');
    await q.query('ALTER TABLE sms.send_attempt DROP COLUMN engagement, DROP COLUMN delivery_at, DROP COLUMN delivery_reason, DROP COLUMN delivery, DROP COLUMN contact_list_id');
  }
}
