import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DELIVERY_TIMEOUT_REASON, DeliveryResultV1, ENGAGEMENT_OUTCOMES, RECEIPT_OUTCOMES } from '@herald/contracts';
import { DataSource } from 'typeorm';
import { describeOutcome } from './outcome-wording';

/**
 * Whether a result reports on an attempt already made (a provider receipt, an engagement, or the
 * delivery timeout's `unknown`) rather than being the attempt's own outcome.
 */
export function isAfterAttempt(r: Pick<DeliveryResultV1, 'outcome' | 'reason'>): boolean {
  return (
    (RECEIPT_OUTCOMES as readonly string[]).includes(r.outcome) ||
    (ENGAGEMENT_OUTCOMES as readonly string[]).includes(r.outcome) ||
    (r.outcome === 'unknown' && r.reason === DELIVERY_TIMEOUT_REASON)
  );
}

/** The strength of an outcome for one message, in SQL ($2: receipts weakest first, $3: engagements): receipts 1…, engagements -1, the rest 0. */
const RANK = (column: string) => `(CASE WHEN ${column} = ANY($3::text[]) THEN -1 ELSE coalesce(array_position($2::text[], ${column}), 0) END)`;

export interface LatestResult {
  messageId: string;
  campaignId?: string;
  outcome: string;
  reason?: string;
  dncListId?: string;
  /** The outcome worded as the export words it. */
  description: string;
  attemptedAt: string;
  updatedAt: string;
}

/**
 * The last attempt per contact and channel, kept from the delivery results (contacts'
 * `contact_result`). Rules, applied by one statement per batch:
 * - a result for another message than the recorded one replaces it only if it is a newer attempt
 *   (later `occurredAt` than the recorded attempt): an old event arriving late changes nothing;
 * - for the same message, the stronger outcome wins (a receipt beats an attempt outcome, a stronger
 *   receipt a weaker one: `receiptRank`; an engagement never replaces another outcome), and among
 *   equals the later `occurredAt` wins. A result about an attempt already made (a receipt, an
 *   engagement, the delivery timeout's `unknown`: `isAfterAttempt`) counts as of its attempt's
 *   time, which must be known (recorded, or in the same batch: results are keyed by message id, so
 *   an attempt's result comes before its receipts); a receipt for a message whose attempt is not
 *   the recorded one (an older, superseded attempt) is dropped;
 * - replaying a batch changes nothing.
 * A result that does not name its contact list (events from before `SmsRenderedV1` carried
 * `contactListId`) is matched by message id to the row an earlier result created, else through
 * the campaign's run (`dispatch_run`). Results for contacts that no longer exist are dropped.
 */
@Injectable()
export class ContactResultsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(results: DeliveryResultV1[]): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map((r) => ({
      message_id: r.messageId,
      channel: r.channel,
      campaign_id: r.campaignId ?? null,
      run_id: r.runId ?? null,
      list_id: r.contactListId ?? null,
      contact_id: r.contactId ?? null,
      outcome: r.outcome,
      reason: r.reason ?? null,
      dnc_list_id: r.dncListId ?? null,
      at: r.occurredAt,
      receipt: isAfterAttempt(r),
    }));
    await this.db.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(message_id uuid, channel text, campaign_id uuid, run_id uuid, list_id uuid, contact_id text,
                                                          outcome text, reason text, dnc_list_id uuid, at timestamptz, receipt boolean)
       ), attempts AS (
         SELECT message_id, min(at) AS attempted_at FROM x WHERE NOT receipt GROUP BY message_id
       ), keyed AS (
         SELECT coalesce(x.list_id, prev.list_id,
                         (SELECT d.list_id FROM contacts.dispatch_run d WHERE d.campaign_id = x.campaign_id AND d.run_id = x.run_id),
                         (SELECT d.list_id FROM contacts.dispatch_run d WHERE d.campaign_id = x.campaign_id)) AS list_id,
                coalesce(x.contact_id, prev.contact_id) AS contact_id,
                x.channel, coalesce(x.campaign_id, prev.campaign_id) AS campaign_id, coalesce(x.run_id, prev.run_id) AS run_id,
                x.message_id, x.outcome, x.reason, x.dnc_list_id,
                -- A receipt belongs to its message's attempt: recorded earlier, or in this batch.
                CASE WHEN x.receipt THEN coalesce(prev.attempted_at, batch.attempted_at) ELSE x.at END AS attempted_at,
                x.at AS occurred_at, x.receipt
           FROM x
           LEFT JOIN LATERAL (
             SELECT p.list_id, p.contact_id, p.campaign_id, p.run_id, p.attempted_at FROM contacts.contact_result p WHERE p.message_id = x.message_id LIMIT 1
           ) prev ON true
           LEFT JOIN attempts batch ON batch.message_id = x.message_id
       )
       INSERT INTO contacts.contact_result AS cr (list_id, contact_id, channel, campaign_id, run_id, message_id, outcome, reason, dnc_list_id, attempted_at, occurred_at)
       SELECT DISTINCT ON (k.list_id, k.contact_id, k.channel)
              k.list_id, k.contact_id, k.channel, k.campaign_id, k.run_id, k.message_id, k.outcome, k.reason, k.dnc_list_id, k.attempted_at, k.occurred_at
         FROM keyed k
        WHERE k.list_id IS NOT NULL AND k.contact_id IS NOT NULL
          AND k.attempted_at IS NOT NULL -- a receipt whose attempt was never recorded (nor superseded) is dropped
          AND EXISTS (SELECT 1 FROM contacts.contact c WHERE c.list_id = k.list_id AND c.id = k.contact_id)
        ORDER BY k.list_id, k.contact_id, k.channel, k.attempted_at DESC, ${RANK('k.outcome')} DESC, k.occurred_at DESC
       ON CONFLICT (list_id, contact_id, channel) DO UPDATE SET
         campaign_id = EXCLUDED.campaign_id, run_id = EXCLUDED.run_id, message_id = EXCLUDED.message_id,
         outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, dnc_list_id = EXCLUDED.dnc_list_id,
         attempted_at = CASE WHEN EXCLUDED.message_id = cr.message_id THEN LEAST(cr.attempted_at, EXCLUDED.attempted_at) ELSE EXCLUDED.attempted_at END,
         occurred_at = EXCLUDED.occurred_at
       WHERE (EXCLUDED.message_id = cr.message_id
              AND (${RANK('EXCLUDED.outcome')} > ${RANK('cr.outcome')}
                   OR (${RANK('EXCLUDED.outcome')} = ${RANK('cr.outcome')} AND EXCLUDED.occurred_at > cr.occurred_at)))
          OR (EXCLUDED.message_id <> cr.message_id AND EXCLUDED.attempted_at > cr.attempted_at)`,
      [JSON.stringify(rows), [...RECEIPT_OUTCOMES], [...ENGAGEMENT_OUTCOMES]],
    );
  }

  /** The latest result per channel of each contact (for GET contact and bulk get). */
  async latestFor(listId: string, contactIds: string[]): Promise<Map<string, Record<string, LatestResult>>> {
    const out = new Map<string, Record<string, LatestResult>>();
    if (contactIds.length === 0) return out;
    const rows: ResultRow[] = await this.db.query(
      `SELECT contact_id, channel, campaign_id, message_id, outcome, reason, dnc_list_id, attempted_at, occurred_at
         FROM contacts.contact_result WHERE list_id = $1 AND contact_id = ANY($2)`,
      [listId, contactIds],
    );
    for (const r of rows) {
      const entry = out.get(r.contact_id) ?? {};
      entry[r.channel] = {
        messageId: r.message_id,
        campaignId: r.campaign_id ?? undefined,
        outcome: r.outcome,
        reason: r.reason ?? undefined,
        dncListId: r.dnc_list_id ?? undefined,
        description: describeOutcome({ outcome: r.outcome, reason: r.reason, dncListId: r.dnc_list_id }),
        attemptedAt: new Date(r.attempted_at).toISOString(),
        updatedAt: new Date(r.occurred_at).toISOString(),
      };
      out.set(r.contact_id, entry);
    }
    return out;
  }
}

interface ResultRow {
  contact_id: string;
  channel: string;
  campaign_id: string | null;
  message_id: string;
  outcome: string;
  reason: string | null;
  dnc_list_id: string | null;
  attempted_at: Date;
  occurred_at: Date;
}
