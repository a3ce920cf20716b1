import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764200000000 implements MigrationInterface {
  name = 'Initial1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // Global suppression: addresses nobody may message (opt-outs, hard bounces, complaints), with provenance.
    await q.query(`
      CREATE TABLE dnc.suppression (
        channel text NOT NULL,
        address text NOT NULL,
        reason text NOT NULL,
        source text NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, address)
      )`);
    // DNC list entries (lists themselves and their API arrive with the audience work).
    await q.query(`
      CREATE TABLE dnc.dnc_entry (
        list_id uuid NOT NULL,
        address text NOT NULL,
        expires_at timestamptz,
        PRIMARY KEY (list_id, address)
      )`);
    await q.query('CREATE INDEX dnc_entry_address ON dnc.dnc_entry (address)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE dnc.dnc_entry');
    await q.query('DROP TABLE dnc.suppression');
  }
}
