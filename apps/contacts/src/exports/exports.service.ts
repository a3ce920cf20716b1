import { Divisions } from '@herald/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { NotFoundError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ContactListsService } from '../contact-lists/contact-lists.service';
import { describeOutcome } from '../results/outcome-wording';
import { neutraliseCell } from './csv-cell';

/** Contacts read per query while streaming an export (keyset pagination on the contact id). */
export const EXPORT_BATCH_SIZE = 10_000;
/** The contact id column of an export (Genesys names it so in its own exports). */
export const CONTACT_ID_COLUMN = 'inin-outbound-id';
const CHANNEL_COLUMNS = ['Sms', 'Email'].flatMap((c) => [`last${c}AttemptTime`, `last${c}Campaign`, `last${c}Outcome`]);

interface ExportRow {
  id: string;
  data: Record<string, string>;
  sms_outcome: string | null;
  sms_reason: string | null;
  sms_dnc: string | null;
  sms_campaign: string | null;
  sms_at: Date | null;
  email_outcome: string | null;
  email_reason: string | null;
  email_dnc: string | null;
  email_campaign: string | null;
  email_at: Date | null;
}

/**
 * Contact list exports (Genesys `POST/GET …/contactlists/{id}/export`). Requesting an export
 * records it; the CSV itself is streamed at download time from the live tables, in batches, so an
 * export of any size is never held in memory.
 */
@Injectable()
export class ExportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: ContactListsService,
  ) {}

  async request(listId: string, divisions: Divisions) {
    await this.lists.get(listId, divisions);
    const exportId = randomUUID();
    await this.db.query(
      `INSERT INTO contacts.contact_list_export (list_id, export_id, requested_at) VALUES ($1, $2, now())
       ON CONFLICT (list_id) DO UPDATE SET export_id = EXCLUDED.export_id, requested_at = EXCLUDED.requested_at`,
      [listId, exportId],
    );
    return { id: exportId, selfUri: `/api/v2/outbound/contactlists/${listId}/export` };
  }

  /** The latest requested export of a list: its download path and when it was requested. */
  async latest(listId: string, divisions: Divisions): Promise<{ exportId: string; downloadPath: string; exportTimestamp: string }> {
    await this.lists.get(listId, divisions);
    const [row] = await this.db.query('SELECT export_id, requested_at FROM contacts.contact_list_export WHERE list_id = $1', [listId]);
    if (!row) throw new NotFoundError('contact.list.export', listId);
    return {
      exportId: row.export_id,
      downloadPath: `/api/v2/outbound/contactlists/${listId}/export/download`,
      exportTimestamp: new Date(row.requested_at).toISOString(),
    };
  }

  /**
   * The CSV's records in batches: first the header row alone, then up to `batchSize` contacts at
   * a time, ordered by contact id; every cell neutralised.
   */
  async *batches(listId: string, divisions: Divisions, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<string[][]> {
    const list = await this.lists.get(listId, divisions);
    const columns = list.columnNames;
    yield [[CONTACT_ID_COLUMN, ...columns, ...CHANNEL_COLUMNS].map(neutraliseCell)];
    let after: string | null = null;
    for (;;) {
      const batch: ExportRow[] = await this.db.query(
        `SELECT c.id, c.data,
                s.outcome AS sms_outcome, s.reason AS sms_reason, s.dnc_list_id AS sms_dnc, s.campaign_id AS sms_campaign, s.attempted_at AS sms_at,
                e.outcome AS email_outcome, e.reason AS email_reason, e.dnc_list_id AS email_dnc, e.campaign_id AS email_campaign, e.attempted_at AS email_at
           FROM contacts.contact c
           LEFT JOIN contacts.contact_result s ON s.list_id = c.list_id AND s.contact_id = c.id AND s.channel = 'sms'
           LEFT JOIN contacts.contact_result e ON e.list_id = c.list_id AND e.contact_id = c.id AND e.channel = 'email'
          WHERE c.list_id = $1 AND ($2::text IS NULL OR c.id > $2)
          ORDER BY c.id
          LIMIT $3`,
        [listId, after, batchSize],
      );
      if (batch.length) {
        yield batch.map((r) =>
          [
            r.id,
            ...columns.map((c) => r.data[c] ?? ''),
            ...channelCells(r.sms_at, r.sms_campaign, r.sms_outcome, r.sms_reason, r.sms_dnc),
            ...channelCells(r.email_at, r.email_campaign, r.email_outcome, r.email_reason, r.email_dnc),
          ].map(neutraliseCell),
        );
      }
      if (batch.length < batchSize) return;
      after = batch[batch.length - 1]!.id;
    }
  }
}

function channelCells(at: Date | null, campaign: string | null, outcome: string | null, reason: string | null, dncListId: string | null): string[] {
  if (!outcome) return ['', '', ''];
  return [at ? new Date(at).toISOString() : '', campaign ?? '', describeOutcome({ outcome, reason, dncListId })];
}
