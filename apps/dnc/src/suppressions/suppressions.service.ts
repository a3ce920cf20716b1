import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SuppressionRequestedV1 } from '@herald/contracts';
import { DomainError } from '@herald/service';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { normaliseEntry } from '../dnc-lists/dnc-address';
import { CHANNELS, SuppressionChannel, SuppressionDto } from './dtos/suppression.dto';

export const SUPPRESSION_SETTINGS = Symbol('SUPPRESSION_SETTINGS');
export interface SuppressionSettings {
  /** Region for phone numbers written without a country code (SUPPRESSION_DEFAULT_REGION). */
  defaultRegion: string;
}

interface Row {
  channel: string;
  address: string;
  reason: string;
  source: string;
  created_by: string | null;
  created_at: Date;
  campaign_id: string | null;
  message_id: string | null;
}

/**
 * Global suppression (Herald extension): addresses nobody may message, whatever the campaign,
 * with provenance. The filter stage consults it for every contact; addresses are normalised as
 * DNC entries are (E.164, lower-cased email), so they compare the same way.
 */
@Injectable()
export class SuppressionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SUPPRESSION_SETTINGS) private readonly settings: SuppressionSettings,
  ) {}

  private toResource(r: Row) {
    return {
      channel: r.channel,
      address: r.address,
      reason: r.reason,
      source: r.source,
      createdBy: r.created_by ?? undefined,
      dateCreated: r.created_at.toISOString(),
      campaignId: r.campaign_id ?? undefined,
      messageId: r.message_id ?? undefined,
      selfUri: `/api/v2/herald/suppressions/${r.channel}/${encodeURIComponent(r.address)}`,
    };
  }

  private normalise(channel: string, raw: string): string {
    if (!(CHANNELS as readonly string[]).includes(channel)) {
      throw new DomainError('bad.request', `channel must be one of ${CHANNELS.join(', ')}`, 400, [{ errorMessage: `unknown channel "${channel}"` }]);
    }
    const entry = normaliseEntry(raw, channel === 'email' ? 'email' : 'phone', this.settings.defaultRegion);
    if (!entry.ok) throw new DomainError('suppression.address.invalid', `address is not valid for channel ${channel}: ${entry.reason}`, 400, [{ field: 'address', reason: entry.reason }]);
    return entry.address;
  }

  /** Adds an entry; re-adding an address replaces its provenance (reason, source, who, when). */
  async add(dto: SuppressionDto) {
    const address = this.normalise(dto.channel, dto.address);
    const [row]: Row[] = await this.db.query(
      `INSERT INTO dnc.suppression (channel, address, reason, source, created_by, created_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (channel, address) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source, created_by = EXCLUDED.created_by,
         created_at = EXCLUDED.created_at, campaign_id = NULL, message_id = NULL
       RETURNING *`,
      [dto.channel, address, dto.reason, dto.source, dto.createdBy ?? null],
    );
    return this.toResource(row!);
  }

  /**
   * A recipient's own unsubscribe (a List-Unsubscribe link): suppressed with reason `unsubscribe`,
   * source `list-unsubscribe` and the campaign and message the link came with. An address already
   * suppressed keeps its first entry, so using the link again changes nothing.
   */
  async unsubscribe(claims: { channel: string; address: string; campaignId?: string; messageId?: string }) {
    const address = this.normalise(claims.channel, claims.address);
    await this.db.query(
      `INSERT INTO dnc.suppression (channel, address, reason, source, created_at, campaign_id, message_id)
       VALUES ($1, $2, 'unsubscribe', 'list-unsubscribe', now(), $3, $4)
       ON CONFLICT (channel, address) DO NOTHING`,
      [claims.channel, address, uuidOrNull(claims.campaignId), uuidOrNull(claims.messageId)],
    );
    const [row]: Row[] = await this.db.query('SELECT * FROM dnc.suppression WHERE channel = $1 AND address = $2', [claims.channel, address]);
    return this.toResource(row!);
  }

  /**
   * Suppressions the gateways ask for (a provider's hard bounce or complaint, `herald.suppression.v1`),
   * in one statement: reason, source, the provider's time, the campaign and message. An address
   * already suppressed keeps its first entry, so a redelivered request changes nothing. Answers
   * the indexes of requests whose address is not valid for its channel (nothing is written for them).
   */
  async addRequested(requests: SuppressionRequestedV1[]): Promise<number[]> {
    const invalid: number[] = [];
    const rows = requests.flatMap((r, i) => {
      const entry = normaliseEntry(r.address, r.channel === 'email' ? 'email' : 'phone', this.settings.defaultRegion);
      if (!entry.ok) {
        invalid.push(i);
        return [];
      }
      return [{ channel: r.channel, address: entry.address, reason: r.reason, source: r.source, created_at: r.occurredAt, campaign_id: r.campaignId ?? null, message_id: r.messageId ?? null }];
    });
    if (rows.length) {
      await this.db.query(
        `INSERT INTO dnc.suppression (channel, address, reason, source, created_at, campaign_id, message_id)
         SELECT DISTINCT ON (x.channel, x.address) x.channel, x.address, x.reason, x.source, x.created_at, x.campaign_id, x.message_id
           FROM jsonb_to_recordset($1::jsonb) AS x(channel text, address text, reason text, source text, created_at timestamptz, campaign_id uuid, message_id uuid)
          ORDER BY x.channel, x.address, x.created_at
         ON CONFLICT (channel, address) DO NOTHING`,
        [JSON.stringify(rows)],
      );
    }
    return invalid;
  }

  async list(q: { channel?: SuppressionChannel; address?: string; pageSize: number; pageNumber: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.channel) where.push(`channel = $${params.push(q.channel)}`);
    if (q.address !== undefined) {
      // Without a channel the address says which it is: an @ makes it an email address.
      const channel = q.channel ?? (q.address.includes('@') ? 'email' : 'sms');
      where.push(`address = $${params.push(this.normalise(channel, q.address))}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM dnc.suppression ${clause}`, params);
    const rows: Row[] = await this.db.query(
      `SELECT * FROM dnc.suppression ${clause} ORDER BY created_at DESC, channel, address LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.pageNumber - 1) * q.pageSize],
    );
    return { entities: rows.map((r) => this.toResource(r)), pageSize: q.pageSize, pageNumber: q.pageNumber, total, pageCount: Math.ceil(total / q.pageSize) };
  }

  async remove(channel: string, rawAddress: string): Promise<void> {
    const address = this.normalise(channel, rawAddress);
    const [, affected]: [unknown[], number] = await this.db.query('DELETE FROM dnc.suppression WHERE channel = $1 AND address = $2', [channel, address]);
    if (!affected) throw new DomainError('suppression.not.found', `no ${channel} suppression for that address`, 404);
  }
}

function uuidOrNull(value: string | undefined): string | null {
  return value !== undefined && isUUID(value) ? value : null;
}
