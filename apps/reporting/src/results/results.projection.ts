import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { CallerDivisions, divisionRef, Divisions, RequirePermissions } from '@herald/auth';
import { EventPattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DeliveryResultV1, ENGAGEMENT_OUTCOMES, receiptRank, Topic } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { NotFoundError } from '@herald/service';
import { DataSource } from 'typeorm';

/** Which outcome a message shows: receipts by strength (1…), attempt outcomes 0, engagements -1 (never shown over another). */
export function outcomeRank(outcome: string): number {
  return (ENGAGEMENT_OUTCOMES as readonly string[]).includes(outcome) ? -1 : receiptRank(outcome);
}

/** Whether an incoming result replaces the message's outcome: stronger, or as strong and not older. */
const STRONGER = '(EXCLUDED.outcome_rank > m.outcome_rank OR (EXCLUDED.outcome_rank = m.outcome_rank AND EXCLUDED.last_at >= m.last_at))';

/**
 * The message-outcome projection: every result, one upsert per batch. A message's outcome is its
 * strongest word: a provider receipt beats an attempt outcome and a stronger receipt a weaker one
 * (`receiptRank`: delivered < undelivered < bounced < complained), among equals the latest by
 * occurrence time wins, so late or reordered events do not roll a message back; engagements
 * (opened, clicked) go into the history only. Every result is appended to the history once (a
 * redelivered event, same CloudEvents id, is not appended twice).
 */
@Controller('api/v2/herald/messages')
export class ResultsProjection {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @EventPattern(Topic.DeliveryResult)
  async onResults(events: ConsumedEvent<DeliveryResultV1>[]): Promise<void> {
    const rows = events.map(({ data, envelope }) => ({
      message_id: data.messageId,
      channel: data.channel,
      division: data.division,
      campaign_id: data.campaignId ?? null,
      run_id: data.runId ?? null,
      contact_list_id: data.contactListId ?? null,
      contact_id: data.contactId ?? null,
      outcome: data.outcome,
      rank: outcomeRank(data.outcome),
      reason: data.reason ?? null,
      at: data.occurredAt,
      entry: { eventId: envelope.id, outcome: data.outcome, reason: data.reason, at: data.occurredAt },
    }));
    await this.db.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(message_id uuid, channel text, division text, campaign_id uuid, run_id uuid, contact_list_id uuid, contact_id text,
                                                          outcome text, rank int, reason text, at timestamptz, entry jsonb)
       ), history AS (
         SELECT message_id, jsonb_agg(entry ORDER BY at) AS entries, min(at) AS first_at FROM (SELECT DISTINCT ON (entry->>'eventId') * FROM x) d GROUP BY message_id
       )
       INSERT INTO reporting.message_outcome AS m (message_id, channel, division, campaign_id, run_id, contact_list_id, contact_id, outcome, outcome_rank, reason, first_at, last_at, history)
       SELECT DISTINCT ON (x.message_id) x.message_id, x.channel, x.division, x.campaign_id, x.run_id, x.contact_list_id, x.contact_id, x.outcome, x.rank, x.reason, h.first_at, x.at, h.entries
         FROM x JOIN history h USING (message_id)
        ORDER BY x.message_id, x.rank DESC, x.at DESC
       ON CONFLICT (message_id) DO UPDATE SET
         outcome = CASE WHEN ${STRONGER} THEN EXCLUDED.outcome ELSE m.outcome END,
         reason = CASE WHEN ${STRONGER} THEN EXCLUDED.reason ELSE m.reason END,
         outcome_rank = CASE WHEN ${STRONGER} THEN EXCLUDED.outcome_rank ELSE m.outcome_rank END,
         last_at = GREATEST(m.last_at, EXCLUDED.last_at),
         first_at = LEAST(m.first_at, EXCLUDED.first_at),
         history = m.history || coalesce(
           (SELECT jsonb_agg(e) FROM jsonb_array_elements(EXCLUDED.history) e WHERE NOT m.history @> jsonb_build_array(jsonb_build_object('eventId', e->>'eventId'))),
           '[]'::jsonb)`,
      [JSON.stringify(rows)],
    );
  }

  @Get(':messageId')
  @RequirePermissions('herald:message:view')
  async get(@Param('messageId', ParseUUIDPipe) messageId: string, @CallerDivisions() divisions: Divisions) {
    const [row] = await this.db.query('SELECT * FROM reporting.message_outcome WHERE message_id = $1', [messageId]);
    // Another division's message is as absent as a missing one.
    if (!row || !divisions.has(row.division)) throw new NotFoundError('message', messageId);
    return {
      id: row.message_id,
      channel: row.channel,
      division: divisionRef(row.division),
      outcome: row.outcome,
      reason: row.reason ?? undefined,
      campaignId: row.campaign_id ?? undefined,
      contactListId: row.contact_list_id ?? undefined,
      contactId: row.contact_id ?? undefined,
      firstAt: row.first_at,
      lastAt: row.last_at,
      history: row.history,
    };
  }
}
