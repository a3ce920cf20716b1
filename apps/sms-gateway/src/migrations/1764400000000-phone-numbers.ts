import { MigrationInterface, QueryRunner } from 'typeorm';

export class PhoneNumbers1764400000000 implements MigrationInterface {
  name = 'PhoneNumbers1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // The sender numbers this Herald may send from (Genesys `SmsPhoneNumber`); one row per number.
    await q.query(`
      CREATE TABLE sms.phone_number (
        id uuid PRIMARY KEY,
        division text NOT NULL,
        phone_number text NOT NULL,
        phone_number_type text NOT NULL,
        country_code text NOT NULL,
        name text,
        version integer NOT NULL DEFAULT 1,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX phone_number_address ON sms.phone_number (division, phone_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sms.phone_number');
  }
}
