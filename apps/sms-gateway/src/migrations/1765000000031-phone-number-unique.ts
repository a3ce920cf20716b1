import { MigrationInterface, QueryRunner } from 'typeorm';

export class PhoneNumberUnique1765000000031 implements MigrationInterface {
  name = 'PhoneNumberUnique1765000000031';

  async up(q: QueryRunner): Promise<void> {
    // A number is one sender whatever the division: it is provisioned once, in one division.
    await q.query('DROP INDEX sms.phone_number_address');
    await q.query('CREATE UNIQUE INDEX phone_number_address ON sms.phone_number (phone_number)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX sms.phone_number_address');
    await q.query('CREATE UNIQUE INDEX phone_number_address ON sms.phone_number (division, phone_number)');
  }
}
