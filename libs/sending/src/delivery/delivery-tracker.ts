import { Logger } from '@nestjs/common';
import { Channel, DELIVERY_TIMEOUT_REASON, DeliveryResultV1, resultFor, SuppressionRequestedV1, Topic } from '@herald/contracts';
import { EventPublisher, OutgoingEvent } from '@herald/messaging';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { applyProviderEvents, DeliveryRecord, DeliveryStep, ProviderEvent } from './delivery-state';

export interface DeliveryTrackerOptions {
  channel: Channel;
  /** The send ledger (see LedgeredSender) with the delivery columns delivery, delivery_reason, delivery_at, engagement. */
  table: string;
  /** An accepted message with no word from the provider after this long gets an `unknown` / `delivery.timeout` result. */
  timeoutMs: number;
}

interface LedgerRow {
  message_id: string;
  division: string;
  campaign_id: string | null;
  run_id: string | null;
  contact_list_id: string | null;
  contact_id: string | null;
  state: string;
  provider_message_id: string | null;
  delivery: string | null;
  delivery_reason: string | null;
  engagement: string[];
}

/** A provider event for a message whose send is still in flight (its claim not yet finished): ask the sender to retry. */
export class SendInFlightError extends Error {
  constructor(readonly messageIds: string[]) {
    super(`${messageIds.length} message(s) are still being sent; retry the event later`);
    this.name = 'SendInFlightError';
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;
/** Most messages one sweep marks; a full sweep means more may be waiting. */
export const SWEEP_BATCH = 1_000;

/**
 * Keeps each sent message's delivery state in the send ledger and turns provider events into
 * delivery results (applyProviderEvents decides; this does the I/O). Per call: the messages'
 * ledger rows are locked (one SELECT … FOR UPDATE), the new states written (one UPDATE), and the
 * results and suppression requests published before the transaction commits, so a refused publish
 * leaves the state untouched and the provider's retry applies it again. Events for messages the
 * ledger does not know (another system's, or malformed echo fields) are ignored.
 */
export class DeliveryTracker {
  private readonly logger: Logger;

  constructor(
    private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: DeliveryTrackerOptions,
  ) {
    if (!IDENTIFIER.test(options.table)) throw new Error(`not an SQL identifier: ${options.table}`);
    this.logger = new Logger(`DeliveryTracker:${options.channel}`);
  }

  /** Applies provider events; answers how many were for messages the ledger knows. */
  async apply(events: ProviderEvent[]): Promise<{ known: number; published: number }> {
    const valid = events.filter((e) => isUUID(e.messageId));
    if (valid.length === 0) return { known: 0, published: 0 };
    const { table } = this.options;
    return this.db.transaction(async (tx) => {
      const rows: LedgerRow[] = await tx.query(
        `SELECT message_id, division, campaign_id, run_id, contact_list_id, contact_id, state, provider_message_id, delivery, delivery_reason, engagement
           FROM ${table} WHERE message_id = ANY($1) ORDER BY message_id FOR UPDATE`,
        [[...new Set(valid.map((e) => e.messageId))]],
      );
      const inFlight = rows.filter((r) => r.state === 'claimed').map((r) => r.message_id);
      if (inFlight.length) throw new SendInFlightError(inFlight);
      const byId = new Map(rows.map((r) => [r.message_id, r]));
      const known = valid.filter((e) => byId.has(e.messageId));
      const updates: Record<string, unknown>[] = [];
      const results: OutgoingEvent<DeliveryResultV1>[] = [];
      const suppressions: OutgoingEvent<SuppressionRequestedV1>[] = [];
      for (const row of rows) {
        const mine = known.filter((e) => e.messageId === row.message_id);
        const before: DeliveryRecord = { sendState: row.state, providerMessageId: row.provider_message_id, delivery: row.delivery, deliveryReason: row.delivery_reason, engagement: row.engagement };
        const { record, steps } = applyProviderEvents(before, mine);
        if (steps.length === 0) continue;
        updates.push({ message_id: row.message_id, state: record.sendState, provider_message_id: record.providerMessageId, delivery: record.delivery, delivery_reason: record.deliveryReason, engagement: record.engagement });
        results.push(...steps.map((s) => this.result(row, s)));
        // A hard bounce or complaint suppresses the address when the message first reaches that state.
        for (const s of steps) {
          for (const x of s.suppress ?? []) {
            suppressions.push({
              key: `${this.options.channel}:${x.address.toLowerCase()}`,
              correlationId: row.campaign_id ?? row.message_id,
              division: row.division,
              data: { channel: this.options.channel, address: x.address, reason: x.reason, source: x.source, division: row.division, messageId: row.message_id, campaignId: row.campaign_id ?? undefined, occurredAt: s.occurredAt },
            });
          }
        }
      }
      if (updates.length) await this.write(tx, updates);
      await this.publisher.publishAll([
        { topic: Topic.DeliveryResult, events: results },
        { topic: Topic.Suppression, events: suppressions },
      ]);
      if (known.length < valid.length) this.logger.debug({ msg: 'provider events for messages this gateway did not send', count: valid.length - known.length });
      return { known: known.length, published: results.length };
    });
  }

  /**
   * Messages accepted longer than the timeout ago with no word from the provider get an `unknown`
   * delivery result (reason `delivery.timeout`); a receipt arriving later still replaces it. Safe
   * with several instances (rows are taken with SKIP LOCKED). Answers how many it marked.
   */
  async sweepStuck(): Promise<number> {
    const { table, timeoutMs } = this.options;
    return this.db.transaction(async (tx) => {
      const rows: LedgerRow[] = await tx.query(
        `WITH stuck AS (
           SELECT message_id FROM ${table}
            WHERE state = 'accepted' AND delivery IS NULL AND finished_at < now() - make_interval(secs => $1::float8 / 1000)
            ORDER BY finished_at LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED
         ), marked AS (
           UPDATE ${table} a SET delivery = 'unknown', delivery_reason = '${DELIVERY_TIMEOUT_REASON}', delivery_at = now()
             FROM stuck WHERE a.message_id = stuck.message_id
           RETURNING a.message_id, a.division, a.campaign_id, a.run_id, a.contact_list_id, a.contact_id, a.provider_message_id)
         SELECT * FROM marked`,
        [timeoutMs],
      );
      if (rows.length === 0) return 0;
      const detail = `no delivery event from the provider within ${Math.round(timeoutMs / 1000)} s of its acceptance`;
      const now = new Date().toISOString();
      await this.publisher.publish(
        Topic.DeliveryResult,
        rows.map((r) => this.result(r, { outcome: 'unknown', reason: DELIVERY_TIMEOUT_REASON, detail, providerMessageId: r.provider_message_id ?? undefined, occurredAt: now })),
      );
      this.logger.warn({ msg: 'accepted messages without a delivery event marked unknown', count: rows.length });
      return rows.length;
    });
  }

  private async write(tx: EntityManager, updates: Record<string, unknown>[]): Promise<void> {
    await tx.query(
      `UPDATE ${this.options.table} a SET state = x.state, provider_message_id = x.provider_message_id, delivery = x.delivery, delivery_reason = x.delivery_reason,
              engagement = x.engagement, delivery_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(message_id uuid, state text, provider_message_id text, delivery text, delivery_reason text, engagement text[])
        WHERE a.message_id = x.message_id`,
      [JSON.stringify(updates)],
    );
  }

  private result(row: Pick<LedgerRow, 'message_id' | 'division' | 'campaign_id' | 'run_id' | 'contact_list_id' | 'contact_id'>, s: DeliveryStep): OutgoingEvent<DeliveryResultV1> {
    const data = resultFor(
      {
        messageId: row.message_id,
        channel: this.options.channel,
        division: row.division,
        campaignId: row.campaign_id ?? undefined,
        runId: row.run_id ?? undefined,
        contactListId: row.contact_list_id ?? undefined,
        contactId: row.contact_id ?? undefined,
      },
      s.outcome,
      { reason: s.reason, detail: s.detail?.slice(0, 1000), providerMessageId: s.providerMessageId },
    );
    return { key: row.message_id, subject: row.message_id, correlationId: row.campaign_id ?? row.message_id, division: row.division, data: { ...data, occurredAt: s.occurredAt } };
  }
}
