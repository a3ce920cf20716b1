import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764400000000 implements MigrationInterface {
  name = 'Initial1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per accepted request that can be asked for again: an Idempotency-Key (REST or
    // trigger event) or a trigger event's CloudEvents source + id. `request_hash` tells a retry
    // from a different request reusing the key; `response` is what the REST API answered.
    await q.query(`
      CREATE TABLE triggers.accepted_request (
        dedup_key text PRIMARY KEY,
        request_hash text NOT NULL,
        message_id uuid NOT NULL,
        response jsonb,
        accepted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX accepted_request_accepted_at ON triggers.accepted_request (accepted_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE triggers.accepted_request');
  }
}
