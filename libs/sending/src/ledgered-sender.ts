import { Logger } from '@nestjs/common';
import { Channel, DeliveryResultV1, resultFor, ResultOutcome, Topic } from '@herald/contracts';
import { backoffMs, ConsumedEvent, EventPublisher, OutgoingEvent, TransientError } from '@herald/messaging';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { SendOutcome } from './send-outcome';
import { SenderRate, SenderRateLimiter } from './sender-rate-limit';

/** What every rendered message carries that the ledger and the result need. */
export interface LedgeredMessage {
  messageId: string;
  division: string;
  campaignId?: string;
  runId?: string;
  contactListId?: string;
  contactId?: string;
}

export interface LedgeredSenderOptions<T extends LedgeredMessage> {
  channel: Channel;
  /**
   * The schema-qualified ledger table (e.g. `sms.send_attempt`). It has the columns message_id
   * (primary key), division, campaign_id, run_id, contact_list_id, contact_id, state,
   * provider_message_id, reason, detail, claimed_at (default now()), finished_at, the delivery
   * columns DeliveryTracker keeps, plus the channel's own `columns`.
   */
  table: string;
  /** Channel-specific columns written with the claim: name → SQL type (e.g. `{ segments: 'int' }`). */
  columns: Record<string, string>;
  claimValues(data: T): Record<string, string | number | null>;
  /** One provider call; throttling is retried here, anything else is final. */
  send(data: T): Promise<SendOutcome>;
  /** Provider calls in flight at once. */
  concurrency: number;
  /** A claim older than this with no outcome belonged to an attempt that died mid-call. */
  staleClaimMs: number;
  /**
   * Provider calls per origination identity, shared by every instance: a message is claimed only
   * once its sender's rate allows the call; what does not fit within `maxWaitMs` is retried later.
   */
  rate?: { limiter: SenderRateLimiter; of(data: T): SenderRate | Promise<SenderRate>; maxWaitMs: number };
}

interface LedgerRow {
  message_id: string;
  state: string;
  provider_message_id: string | null;
  reason: string | null;
  detail: string | null;
  stale: boolean;
}

type Final = { messageId: string; outcome: Exclude<ResultOutcome, 'skipped'>; providerMessageId?: string; reason?: string; detail?: string };

/**
 * Calls of one message while the provider throttles, with short backoffs (under a second in all):
 * a chunk waits for its slowest message, so longer waits belong to the left-over rounds, where
 * only the throttled messages wait.
 */
const THROTTLE_RETRIES = 3;
/** Rounds over a batch's left-over messages before it is handed back for a later delivery. */
const LEFT_OVER_ROUNDS = 8;
const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Sends rendered messages at most once per message id, whatever the channel. Per chunk of
 * `concurrency` messages: take the senders' rate, claim the messages in the send ledger (one
 * INSERT; only the winner of a claim may call the provider),
 * call the provider for the claims won, write the outcomes (one UPDATE), then publish the results.
 * A redelivered message whose outcome is recorded gets its result published again (harmless
 * downstream); one whose claim was left unfinished by a crash becomes `unknown` — it may or may
 * not have reached the provider.
 */
export class LedgeredSender<T extends LedgeredMessage> {
  private readonly logger: Logger;
  private readonly extra: [string, string][];

  constructor(
    private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: LedgeredSenderOptions<T>,
  ) {
    this.extra = Object.entries(options.columns);
    for (const name of [options.table, ...this.extra.flat()]) {
      if (!IDENTIFIER.test(name)) throw new Error(`not an SQL identifier: ${name}`);
    }
    this.logger = new Logger(`LedgeredSender:${options.channel}`);
  }

  async send(events: ConsumedEvent<T>[]): Promise<void> {
    const unique = new Map(events.map((e) => [e.data.messageId, e]));
    const batch = [...unique.values()];
    // Claims are taken a chunk at a time, each chunk's outcomes written before the next is
    // claimed: a crash leaves at most the chunk in flight `unknown`, not the whole batch.
    // Messages left over (throttled past the call's retries, or over their sender's rate) are
    // tried again here, after a backoff: only they, not the batch's messages already sent.
    let pending = batch;
    for (let round = 1; ; round++) {
      const left: ConsumedEvent<T>[] = [];
      for (let i = 0; i < pending.length; i += this.options.concurrency) {
        left.push(...(await this.sendChunk(pending.slice(i, i + this.options.concurrency), unique)));
      }
      if (left.length === 0) return;
      if (round >= LEFT_OVER_ROUNDS) {
        // Nothing of these was sent; the batch comes back later (never a dead letter).
        throw new TransientError(`${left.length} messages wait for their sender's rate or the provider's throttling`);
      }
      await sleep(backoffMs(round, 200, 10_000));
      pending = left;
    }
  }

  /** Takes the sender's rate for the chunk's messages (what does not fit waits for a later attempt). */
  private async withinRate(chunk: ConsumedEvent<T>[]): Promise<{ allowed: ConsumedEvent<T>[]; deferred: ConsumedEvent<T>[] }> {
    const { rate } = this.options;
    if (!rate) return { allowed: chunk, deferred: [] };
    const bySender = new Map<string, { rate: SenderRate; events: ConsumedEvent<T>[] }>();
    for (const e of chunk) {
      const r = await rate.of(e.data);
      const group = bySender.get(r.key) ?? bySender.set(r.key, { rate: r, events: [] }).get(r.key)!;
      group.events.push(e);
    }
    const allowed: ConsumedEvent<T>[] = [];
    const deferred: ConsumedEvent<T>[] = [];
    for (const { rate: r, events } of bySender.values()) {
      const granted = await rate.limiter.acquire(r, events.length, rate.maxWaitMs);
      allowed.push(...events.slice(0, granted));
      deferred.push(...events.slice(granted));
    }
    return { allowed, deferred };
  }

  /** Claims, sends, records and publishes one chunk; the messages left for another round (nothing sent). */
  private async sendChunk(chunk: ConsumedEvent<T>[], unique: Map<string, ConsumedEvent<T>>): Promise<ConsumedEvent<T>[]> {
    const { table } = this.options;
    const { allowed: batch, deferred } = await this.withinRate(chunk);
    const names = this.extra.map(([n]) => n);
    const claimed: { message_id: string }[] = await this.db.query(
      `INSERT INTO ${table} (message_id, division, campaign_id, run_id, contact_list_id, contact_id, ${names.map((n) => `${n}, `).join('')}state)
       SELECT x.message_id, x.division, x.campaign_id, x.run_id, x.contact_list_id, x.contact_id, ${names.map((n) => `x.${n}, `).join('')}'claimed'
         FROM jsonb_to_recordset($1::jsonb) AS x(message_id uuid, division text, campaign_id uuid, run_id uuid, contact_list_id uuid, contact_id text${this.extra.map(([n, t]) => `, ${n} ${t}`).join('')})
       ON CONFLICT (message_id) DO NOTHING
       RETURNING message_id`,
      [
        JSON.stringify(
          batch.map(({ data }) => ({
            message_id: data.messageId,
            division: data.division,
            campaign_id: data.campaignId ?? null,
            run_id: data.runId ?? null,
            contact_list_id: data.contactListId ?? null,
            contact_id: data.contactId ?? null,
            ...this.options.claimValues(data),
          })),
        ),
      ],
    );
    const won = new Set(claimed.map((c) => c.message_id));
    const finals: Final[] = [];

    const seenBefore = batch.filter((e) => !won.has(e.data.messageId)).map((e) => e.data.messageId);
    if (seenBefore.length) finals.push(...(await this.resolveSeenBefore(seenBefore)));

    const toSend = batch.filter((e) => won.has(e.data.messageId));
    const outcomes = await pool(toSend, this.options.concurrency, (e) => this.sendOne(e.data));
    const released: string[] = [];
    toSend.forEach((e, i) => {
      const o = outcomes[i]!;
      if (o.outcome === 'throttled') released.push(e.data.messageId);
      else if (o.outcome === 'accepted') finals.push({ messageId: e.data.messageId, outcome: 'accepted', providerMessageId: o.providerMessageId });
      else finals.push({ messageId: e.data.messageId, outcome: o.outcome, reason: o.reason, detail: o.detail });
    });

    if (released.length) await this.db.query(`DELETE FROM ${table} WHERE message_id = ANY($1) AND state = 'claimed'`, [released]);
    const fresh = finals.filter((f) => won.has(f.messageId));
    const results: OutgoingEvent<DeliveryResultV1>[] = finals.map((f) => {
      const { data, envelope } = unique.get(f.messageId)!;
      return {
        key: f.messageId,
        subject: f.messageId,
        causedBy: envelope,
        data: resultFor({ ...data, channel: this.options.channel }, f.outcome, { providerMessageId: f.providerMessageId, reason: f.reason, detail: f.detail }),
      };
    });
    // The outcomes are written and the results published while the rows stay locked, so that a
    // provider event for one of these messages (DeliveryTracker locks its row) is applied only
    // after its `accepted` is on the topic. The outcomes are committed even if the publish fails:
    // the redelivered batch then finds them recorded and publishes them again.
    const failed = await this.db.transaction(async (tx) => {
      if (fresh.length) {
        await tx.query(
          `UPDATE ${table} a SET state = x.outcome, provider_message_id = x.provider_message_id, reason = x.reason, detail = x.detail, finished_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS x(message_id uuid, outcome text, provider_message_id text, reason text, detail text)
            WHERE a.message_id = x.message_id`,
          [JSON.stringify(fresh.map((f) => ({ message_id: f.messageId, outcome: f.outcome, provider_message_id: f.providerMessageId ?? null, reason: f.reason ?? null, detail: f.detail ?? null })))],
        );
      }
      return this.publisher.publish(Topic.DeliveryResult, results).then(
        () => undefined,
        (e: unknown) => ({ error: e }),
      );
    });
    if (failed) throw failed.error;
    return [...deferred, ...released.map((id) => unique.get(id)!)];
  }

  private async resolveSeenBefore(ids: string[]): Promise<Final[]> {
    const { table } = this.options;
    const rows: LedgerRow[] = await this.db.query(
      `SELECT message_id, state, provider_message_id, reason, detail, claimed_at < now() - ($2 || ' milliseconds')::interval AS stale
         FROM ${table} WHERE message_id = ANY($1)`,
      [ids, String(this.options.staleClaimMs)],
    );
    const finals: Final[] = [];
    const abandoned: string[] = [];
    for (const r of rows) {
      if (r.state !== 'claimed') {
        finals.push({ messageId: r.message_id, outcome: r.state as Final['outcome'], providerMessageId: r.provider_message_id ?? undefined, reason: r.reason ?? undefined, detail: r.detail ?? undefined });
      } else if (r.stale) {
        abandoned.push(r.message_id);
      } else {
        // Another attempt may still be in flight (e.g. just before a rebalance): ask again shortly.
        throw new TransientError(`message ${r.message_id} is being sent by another attempt`);
      }
    }
    if (abandoned.length) {
      const detail = 'a send attempt was interrupted before the provider answered; not resent to avoid a duplicate';
      await this.db.query(
        `UPDATE ${table} SET state = 'unknown', reason = 'interrupted', detail = $2, finished_at = now() WHERE message_id = ANY($1) AND state = 'claimed'`,
        [abandoned, detail],
      );
      this.logger.warn({ msg: 'interrupted sends marked unknown', count: abandoned.length });
      for (const id of abandoned) finals.push({ messageId: id, outcome: 'unknown', reason: 'interrupted', detail });
    }
    return finals;
  }

  private async sendOne(data: T): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.options.send(data);
      if (outcome.outcome !== 'throttled' || attempt >= THROTTLE_RETRIES) return outcome;
      await new Promise((r) => setTimeout(r, backoffMs(attempt, 100, 5_000)));
    }
  }
}
