import { MigrationInterface, QueryRunner } from 'typeorm';

export class EntryAddressCollation1765100000000 implements MigrationInterface {
  name = 'EntryAddressCollation1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // Addresses are E.164 numbers and lower-cased email addresses, only ever compared for equality
    // and paged in a stable order: byte order ("C") serves both, and spares every comparison of the
    // primary key, the imports' sort and the filter stage's lookups the database's locale
    // (strcoll). Rewrites the table and its indexes once.
    await q.query('ALTER TABLE dnc.dnc_entry ALTER COLUMN address TYPE text COLLATE "C"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE dnc.dnc_entry ALTER COLUMN address TYPE text COLLATE "default"');
  }
}
