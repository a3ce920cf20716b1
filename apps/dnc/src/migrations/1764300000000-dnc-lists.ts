import { MigrationInterface, QueryRunner } from 'typeorm';

export class DncLists1764300000000 implements MigrationInterface {
  name = 'DncLists1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // Genesys `DncList`. Entries stay in dnc.dnc_entry (list_id, address, expires_at): phone numbers
    // in E.164, email addresses lower-cased, so the filter stage compares them as they are.
    await q.query(`
      CREATE TABLE dnc.dnc_list (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        division text NOT NULL,
        dnc_source_type text NOT NULL,
        contact_method text NOT NULL,
        default_region text NOT NULL DEFAULT 'US',
        version integer NOT NULL DEFAULT 1,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now(),
        -- The latest CSV import: Genesys ImportStatus (+ rejectedRecords) and its first rejected rows.
        import_status jsonb,
        import_rejections jsonb,
        -- Refreshed while an import runs: an IN_PROGRESS import without it for 30 s died with its process.
        import_heartbeat_at timestamptz,
        export_requested_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX dnc_list_name ON dnc.dnc_list (division, lower(name))`);
    // No foreign key from dnc_entry to dnc_list, and no index on address alone: each costs a
    // lookup or an index insert per entry on a 10,000,000-entry load, and the filter stage's
    // lookup (list_id = ANY … AND address = ANY …) is served by the primary key. Deleting a list
    // deletes its entries in the same transaction (DncListsService.remove).
    await q.query('DROP INDEX dnc.dnc_entry_address');
    // `DELETE …?expiredOnly=true` and expiry-aware reads.
    await q.query(`CREATE INDEX dnc_entry_expiry ON dnc.dnc_entry (list_id, expires_at) WHERE expires_at IS NOT NULL`);
    await q.query(`CREATE INDEX suppression_created ON dnc.suppression (created_at DESC, channel, address)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX dnc.suppression_created');
    await q.query('DROP INDEX dnc.dnc_entry_expiry');
    await q.query('CREATE INDEX dnc_entry_address ON dnc.dnc_entry (address)');
    await q.query('DROP TABLE dnc.dnc_list');
  }
}
