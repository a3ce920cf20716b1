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

/**
 * What happens to a message whose send is ambiguous: the provider call timed out, failed with a
 * 5xx or a reset connection, or its claim was found unfinished after a crash — it may or may not
 * have reached the provider.
 * - `at-most-once`: it is `unknown`, never sent again; provider events may still resolve it.
 * - `at-least-once`: its claim is released and it is sent again, up to `maxAttempts` provider
 *   calls in all (crashes mid-call count), and only then `unknown`. The recipient may get it twice.
 */
export type SendGuarantee = 'at-most-once' | 'at-least-once';

export const SEND_GUARANTEES: readonly SendGuarantee[] = ['at-most-once', 'at-least-once'];

/** Provider calls of one message under at-least-once, unless configured: the AWS SDK's own default. */
export const DEFAULT_MAX_SEND_ATTEMPTS = 3;

export interface LedgeredSenderOptions<T extends LedgeredMessage> {
  channel: Channel;
  /**
   * The schema-qualified ledger table (e.g. `sms.send_attempt`). It has the columns message_id
   * (primary key), division, campaign_id, run_id, contact_list_id, contact_id, state,
   * provider_message_id, reason, detail, claimed_at (default now()), finished_at, the delivery
   * columns DeliveryTracker keeps, plus the channel's own `columns`; for at-least-once also
   * `attempts` (integer, default 1: the provider calls made under claims of the message).
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
  /** Default `at-most-once`. SMS is always at most once: a text sent twice costs twice and annoys. */
  guarantee?: SendGuarantee;
  /** At-least-once only: provider calls of one message before an ambiguous one is final (default 3). */
  maxAttempts?: number;
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

/** What a chunk's messages whose claim its INSERT did not win come to. */
interface SeenBefore {
  /** Outcomes recorded before, or made final now (`unknown`). */
  finals: Final[];
  /** Abandoned claims taken over for another call (at-least-once): message id → that call's attempt number. */
  reclaimed: Map<string, number>;
  /** Claims another attempt holds: looked at again in a later round. */
  busy: string[];
}

/** A claim given up without an outcome, for a later round. */
interface Release {
  message_id: string;
  /** 1 if the call surely did not send (throttled): it does not count as an attempt. */
  unused: 0 | 1;
  reason: string | null;
  detail: string | null;
}

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
 * Sends rendered messages through the send ledger, whatever the channel. Per chunk of
 * `concurrency` messages: take the senders' rate, claim the messages in the send ledger (one
 * INSERT; only the winner of a claim may call the provider),
 * call the provider for the claims won, write the outcomes (one UPDATE), then publish the results.
 * A redelivered message whose outcome is recorded gets its result published again (harmless
 * downstream).
 *
 * An ambiguous send (an ambiguous answer, or a claim left unfinished by a crash: it may or may
 * not have reached the provider) follows the `guarantee`. At most once it becomes `unknown`. At
 * least once, an ambiguous answer releases the claim (`claimed_at` -infinity: stale at once) and
 * the message joins the left-over rounds; a stale claim, released or left by a crash, is taken
 * over by one UPDATE that matches it only while it is still stale, so of two instances only one
 * wins it and calls the provider. `attempts` counts the calls across rounds, redeliveries and
 * crashes; when it reaches `maxAttempts` the message is `unknown` after all.
 */
export class LedgeredSender<T extends LedgeredMessage> {
  private readonly logger: Logger;
  private readonly extra: [string, string][];
  private readonly atLeastOnce: boolean;
  private readonly maxAttempts: number;

  constructor(
    private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    private readonly options: LedgeredSenderOptions<T>,
  ) {
    this.extra = Object.entries(options.columns);
    for (const name of [options.table, ...this.extra.flat()]) {
      if (!IDENTIFIER.test(name)) throw new Error(`not an SQL identifier: ${name}`);
    }
    const guarantee = options.guarantee ?? 'at-most-once';
    if (!SEND_GUARANTEES.includes(guarantee)) throw new Error(`unknown send guarantee: ${String(guarantee)} (expected ${SEND_GUARANTEES.join(' or ')})`);
    if (options.channel === 'sms' && guarantee !== 'at-most-once') {
      throw new Error('SMS is sent at most once: a text sent twice costs twice and annoys its recipient');
    }
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_SEND_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`maxAttempts must be a positive integer, not ${maxAttempts}`);
    this.atLeastOnce = guarantee === 'at-least-once';
    this.maxAttempts = maxAttempts;
    this.logger = new Logger(`LedgeredSender:${options.channel}`);
  }

  async send(events: ConsumedEvent<T>[]): Promise<void> {
    const unique = new Map(events.map((e) => [e.data.messageId, e]));
    const batch = [...unique.values()];
    // Claims are taken a chunk at a time, each chunk's outcomes written before the next is
    // claimed: a crash leaves at most the chunk in flight `unknown`, not the whole batch.
    // Messages left over (throttled past the call's retries, over their sender's rate, claimed by
    // another attempt still in flight, or released after an ambiguous call at least once) are
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
        throw new TransientError(`${left.length} messages wait for their sender's rate, the provider, or another attempt of theirs`);
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

  /** Claims, sends, records and publishes one chunk; the messages left for another round (no outcome yet). */
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
    // The claims this chunk holds, each with its attempt number.
    const won = new Map(claimed.map((c) => [c.message_id, 1]));
    const finals: Final[] = [];
    const busy: string[] = [];

    const seenBefore = batch.filter((e) => !won.has(e.data.messageId)).map((e) => e.data.messageId);
    if (seenBefore.length) {
      const seen = await this.resolveSeenBefore(seenBefore);
      finals.push(...seen.finals);
      busy.push(...seen.busy);
      for (const [id, attempt] of seen.reclaimed) won.set(id, attempt);
    }

    const toSend = batch.filter((e) => won.has(e.data.messageId));
    const outcomes = await pool(toSend, this.options.concurrency, (e) => this.sendOne(e.data));
    const released: Release[] = [];
    toSend.forEach((e, i) => {
      const id = e.data.messageId;
      const o = outcomes[i]!;
      const attempt = won.get(id)!;
      if (o.outcome === 'throttled') released.push({ message_id: id, unused: 1, reason: null, detail: null });
      else if (o.outcome === 'accepted') finals.push({ messageId: id, outcome: 'accepted', providerMessageId: o.providerMessageId });
      else if (o.outcome === 'unknown' && this.atLeastOnce && attempt < this.maxAttempts) released.push({ message_id: id, unused: 0, reason: o.reason, detail: o.detail });
      else if (o.outcome === 'unknown' && this.atLeastOnce) {
        finals.push({ messageId: id, outcome: 'unknown', reason: o.reason, detail: `${o.detail} (attempt ${attempt} of ${this.maxAttempts}; not sent again)` });
      } else finals.push({ messageId: id, outcome: o.outcome, reason: o.reason, detail: o.detail });
    });

    if (released.length) await this.release(released, won);
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
    return [...deferred, ...busy.map((id) => unique.get(id)!), ...released.map((r) => unique.get(r.message_id)!)];
  }

  /**
   * Gives up claims whose call settled nothing, for a later round. A message's first claim whose
   * call was throttled (surely not sent) is deleted, as if never taken. Any other (at least once:
   * an ambiguous call, or a throttled call under a claim taken over) stays, stale at once, with
   * its count of attempts (less the throttled call) and the ambiguous answer's reason.
   */
  private async release(released: Release[], won: Map<string, number>): Promise<void> {
    const { table } = this.options;
    const unclaimed = released.filter((r) => r.unused === 1 && won.get(r.message_id) === 1);
    const reopened = released.filter((r) => !unclaimed.includes(r));
    if (unclaimed.length) {
      await this.db.query(`DELETE FROM ${table} WHERE message_id = ANY($1) AND state = 'claimed'`, [unclaimed.map((r) => r.message_id)]);
    }
    if (reopened.length) {
      await this.db.query(
        `UPDATE ${table} a SET claimed_at = '-infinity', attempts = a.attempts - x.unused, reason = x.reason, detail = x.detail
           FROM jsonb_to_recordset($1::jsonb) AS x(message_id uuid, unused int, reason text, detail text)
          WHERE a.message_id = x.message_id AND a.state = 'claimed'`,
        [JSON.stringify(reopened)],
      );
    }
  }

  private async resolveSeenBefore(ids: string[]): Promise<SeenBefore> {
    const { table } = this.options;
    const stale = String(this.options.staleClaimMs);
    const isStale = `claimed_at < now() - ($2 || ' milliseconds')::interval`;
    const rows: LedgerRow[] = await this.db.query(
      `SELECT message_id, state, provider_message_id, reason, detail, ${isStale} AS stale
         FROM ${table} WHERE message_id = ANY($1)`,
      [ids, stale],
    );
    const seen: SeenBefore = { finals: [], reclaimed: new Map(), busy: [] };
    let abandoned: string[] = [];
    for (const r of rows) {
      if (r.state !== 'claimed') {
        seen.finals.push({ messageId: r.message_id, outcome: r.state as Final['outcome'], providerMessageId: r.provider_message_id ?? undefined, reason: r.reason ?? undefined, detail: r.detail ?? undefined });
      } else if (r.stale) {
        abandoned.push(r.message_id);
      } else {
        // Another attempt may still be in flight (e.g. just before a rebalance): a later round looks again.
        seen.busy.push(r.message_id);
      }
    }
    // A claim released (deleted) by another instance since this chunk's INSERT: claimed again in a later round.
    const found = new Set(rows.map((r) => r.message_id));
    seen.busy.push(...ids.filter((id) => !found.has(id)));
    if (abandoned.length && this.atLeastOnce) {
      // Taken over only while still stale: of instances racing for a claim, the row lock lets one
      // through and the others find it fresh.
      // TypeORM answers [rows, count] for UPDATE … RETURNING.
      const [taken]: [{ message_id: string; attempts: number }[], number] = await this.db.query(
        `UPDATE ${table} SET claimed_at = now(), attempts = attempts + 1, reason = NULL, detail = NULL
          WHERE message_id = ANY($1) AND state = 'claimed' AND ${isStale} AND attempts < $3
          RETURNING message_id, attempts`,
        [abandoned, stale, this.maxAttempts],
      );
      for (const t of taken) seen.reclaimed.set(t.message_id, t.attempts);
      if (taken.length) this.logger.warn({ msg: 'ambiguous or interrupted sends taken over to be sent again', count: taken.length });
      abandoned = abandoned.filter((id) => !seen.reclaimed.has(id));
    }
    if (abandoned.length) {
      // A claim released after an ambiguous answer keeps that answer's reason; one left by a crash is `interrupted`.
      const detail = this.atLeastOnce
        ? `a send attempt was interrupted before the provider answered; not resent: all ${this.maxAttempts} attempts were made`
        : 'a send attempt was interrupted before the provider answered; not resent to avoid a duplicate';
      const [marked]: [{ message_id: string; reason: string; detail: string }[], number] = await this.db.query(
        `UPDATE ${table} SET state = 'unknown', reason = COALESCE(reason, 'interrupted'), detail = COALESCE(detail, $3), finished_at = now()
          WHERE message_id = ANY($1) AND state = 'claimed' AND ${isStale}${this.atLeastOnce ? ' AND attempts >= $4' : ''}
          RETURNING message_id, reason, detail`,
        this.atLeastOnce ? [abandoned, stale, detail, this.maxAttempts] : [abandoned, stale, detail],
      );
      if (marked.length) this.logger.warn({ msg: 'interrupted sends marked unknown', count: marked.length });
      for (const m of marked) seen.finals.push({ messageId: m.message_id, outcome: 'unknown', reason: m.reason, detail: m.detail });
      // Taken over or finished by another instance meanwhile: a later round finds out which.
      const done = new Set(marked.map((m) => m.message_id));
      seen.busy.push(...abandoned.filter((id) => !done.has(id)));
    }
    return seen;
  }

  private async sendOne(data: T): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.options.send(data);
      if (outcome.outcome !== 'throttled' || attempt >= THROTTLE_RETRIES) return outcome;
      await new Promise((r) => setTimeout(r, backoffMs(attempt, 100, 5_000)));
    }
  }
}
