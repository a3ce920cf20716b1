import { Divisions } from '@herald/auth';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError } from '@herald/service';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { neutraliseCell } from './dnc-address';
import { DncListsService } from './dnc-lists.service';

const PAGE = 10_000;
export const EXPORT_COLUMNS = ['address', 'expirationDateTime'];

/**
 * DNC list export. Genesys answers `GET …/export` with a download URI; Herald's URI is its own
 * `…/export/download`, which streams the list as it is at download time (keyset pages of
 * 10,000 entries through csv-stringify: memory does not grow with the list).
 */
@Injectable()
export class DncExportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly lists: DncListsService,
  ) {}

  async request(listId: string, divisions: Divisions) {
    await this.lists.get(listId, divisions);
    await this.db.query('UPDATE dnc.dnc_list SET export_requested_at = now() WHERE id = $1', [listId]);
    return { id: listId, selfUri: `/api/v2/outbound/dnclists/${listId}/export` };
  }

  /** Genesys `ExportUri`. */
  async uri(listId: string, divisions: Divisions): Promise<{ uri: string; exportTimestamp: string }> {
    const list = await this.lists.get(listId, divisions);
    if (!list.exportRequestedAt) {
      throw new DomainError('dnc.list.export.not.found', `DNC list ${listId} has no export; request one with POST /api/v2/outbound/dnclists/${listId}/export`, 404);
    }
    return { uri: `/api/v2/outbound/dnclists/${listId}/export/download`, exportTimestamp: list.exportRequestedAt.toISOString() };
  }

  private async *entries(listId: string): AsyncGenerator<string[]> {
    let after = '';
    for (;;) {
      const rows: { address: string; expires_at: Date | null }[] = await this.db.query(
        'SELECT address, expires_at FROM dnc.dnc_entry WHERE list_id = $1 AND address > $2 ORDER BY address LIMIT $3',
        [listId, after, PAGE],
      );
      for (const r of rows) yield [neutraliseCell(r.address), r.expires_at ? r.expires_at.toISOString() : ''];
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.address;
    }
  }

  /** The CSV: a header `address,expirationDateTime`, one entry a line in address order; it imports back as it is. */
  async csv(listId: string, divisions: Divisions): Promise<{ filename: string; stream: Readable }> {
    const list = await this.lists.get(listId, divisions);
    const stream = Readable.from(this.entries(listId)).pipe(stringify({ header: true, columns: EXPORT_COLUMNS }));
    return { filename: `dnc-list-${list.id}.csv`, stream };
  }
}
