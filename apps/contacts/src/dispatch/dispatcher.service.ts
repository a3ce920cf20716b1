import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { trace } from '@opentelemetry/api';
import {
  campaignMessageId,
  CampaignAudienceV1,
  CampaignStatusChangedV1,
  ContactDispatchedV1,
  DeliveryResultV1,
  EventEnvelope,
  resultFor,
  Topic,
} from '@herald/contracts';
import { EventPublisher, OutgoingEvent } from '@herald/messaging';
import { DataSource, EntityManager } from 'typeorm';
import { audienceCondition, ContactFilter, dispatchOrder, filtersByIds } from '../audience/audience';
import { messageOf } from './address';
import { DispatchConfig, DispatchRunEntity } from './dispatch-run.entity';
import { DISPATCH_SETTINGS, DispatchSettings } from './dispatch.settings';
import { paceAfter, paceAllowance, PaceState, wakeDelay } from './pacing';

const tracer = trace.getTracer('@herald/contacts');

/** The advisory lock that one dispatch of a campaign, or a status change of it, holds. */
function dispatchLockOf(campaignId: string): string {
  return `herald:dispatch:${campaignId}`;
}

/**
 * Walks the audience of every running campaign and publishes its contacts at the campaign's
 * rate. A contact is marked dispatched in the same transaction that selected it, after Kafka has
 * acknowledged its event: a crash in between re-dispatches it with the same message id, which the
 * later stages recognise, so nothing is lost and nothing is sent twice.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DispatcherService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(DISPATCH_SETTINGS) private readonly settings: DispatchSettings,
  ) {}

  onApplicationBootstrap(): void {
    const loop = async () => {
      if (this.stopped) return;
      const started = Date.now();
      let delay = this.settings.tickMs;
      this.running = this.tick()
        .then((d) => void (delay = d))
        .catch((e: unknown) => this.logger.warn({ msg: 'dispatch tick failed; retrying', err: (e as Error).message }));
      await this.running;
      // On a steady cadence: a tick's own duration comes off the sleep.
      if (!this.stopped) this.timer = setTimeout(loop, Math.max(1, delay - (Date.now() - started)));
    };
    this.timer = setTimeout(loop, this.settings.tickMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Applies a lifecycle event (idempotent: applying it twice changes nothing). */
  async applyStatus(event: CampaignStatusChangedV1, envelope: EventEnvelope): Promise<void> {
    const audience = await this.db.transaction(async (tx) => {
      // Waits for a dispatch of this campaign in progress: once the new status is written, no
      // further contact is dispatched under the old one, so the count published below is final.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [dispatchLockOf(event.campaignId)]);
      const filters = await this.filtersOf(tx, event);
      const config: DispatchConfig = { sms: event.sms, email: event.email, dncListIds: event.dncListIds, filters, sorts: event.contactSorts ?? [] };
      await tx.query(
        `INSERT INTO contacts.dispatch_run (campaign_id, run_id, division, list_id, status, channel, messages_per_minute, always_running, config)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (campaign_id) DO UPDATE SET
           total = CASE WHEN dispatch_run.run_id = EXCLUDED.run_id THEN dispatch_run.total ELSE 0 END,
           dispatched = CASE WHEN dispatch_run.run_id = EXCLUDED.run_id THEN dispatch_run.dispatched ELSE 0 END,
           exhausted = CASE WHEN dispatch_run.run_id = EXCLUDED.run_id THEN dispatch_run.exhausted ELSE false END,
           run_id = EXCLUDED.run_id, division = EXCLUDED.division, list_id = EXCLUDED.list_id, status = EXCLUDED.status,
           channel = EXCLUDED.channel, messages_per_minute = EXCLUDED.messages_per_minute,
           always_running = EXCLUDED.always_running, config = EXCLUDED.config, updated_at = now(),
           -- Pacing (dispatch/pacing.ts): a new run starts afresh; a resumed one catches up nothing.
           pace_next_due_ms = CASE WHEN dispatch_run.run_id <> EXCLUDED.run_id THEN NULL
             WHEN dispatch_run.status <> 'on' AND EXCLUDED.status = 'on'
               THEN GREATEST(dispatch_run.pace_next_due_ms, extract(epoch FROM clock_timestamp())::float8 * 1000)
             ELSE dispatch_run.pace_next_due_ms END,
           pace_recent = CASE WHEN dispatch_run.run_id <> EXCLUDED.run_id THEN '[]' ELSE dispatch_run.pace_recent END`,
        [event.campaignId, event.runId, event.division, event.contactListId, event.status, event.channel, event.messagesPerMinute, event.alwaysRunning, config],
      );
      if (event.status !== 'on') {
        const [run] = await tx.query('SELECT total, dispatched, exhausted FROM contacts.dispatch_run WHERE campaign_id = $1', [event.campaignId]);
        return { total: run.total as number, dispatched: run.dispatched as number, exhausted: run.exhausted as boolean, halted: true };
      }
      // The run's audience: every contact on the list now that its filters match (contacts added
      // later join as they come, under the same filters).
      const params: unknown[] = [event.runId, event.contactListId];
      await tx.query(
        `INSERT INTO contacts.run_contact (run_id, contact_id, priority, seq)
         SELECT $1, c.id, c.priority, c.seq FROM contacts.contact c WHERE c.list_id = $2 AND ${audienceCondition(filters, 'c', params)}
         ON CONFLICT DO NOTHING`,
        params,
      );
      // A SELECT over the CTE: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
      // A resumed run whose every contact was dispatched before it stopped stays exhausted.
      const [run] = await tx.query(
        `WITH updated AS (
           UPDATE contacts.dispatch_run SET total = (SELECT count(*) FROM contacts.run_contact WHERE run_id = $1),
                  exhausted = exhausted AND NOT EXISTS (SELECT 1 FROM contacts.run_contact WHERE run_id = $1 AND dispatched_at IS NULL)
            WHERE campaign_id = $2 RETURNING total, dispatched, exhausted)
         SELECT total, dispatched, exhausted FROM updated`,
        [event.runId, event.campaignId],
      );
      return { total: run.total as number, dispatched: run.dispatched as number, exhausted: run.exhausted as boolean, halted: false };
    });
    this.logger.log({ msg: 'campaign status applied', campaignId: event.campaignId, runId: event.runId, status: event.status, total: audience.total });
    if (event.status === 'on' || event.status === 'off' || event.status === 'stopping') {
      await this.publishAudience(event.campaignId, event.runId, audience.total, audience.dispatched, audience.exhausted, envelope, audience.halted);
    }
  }

  /**
   * The run's filters as they are now, copied into the run's settings (contacts joining the run
   * later are held to the same). A filter deleted since the campaign was saved matches nobody.
   */
  private async filtersOf(tx: EntityManager, event: CampaignStatusChangedV1): Promise<ContactFilter[]> {
    return filtersByIds((text, params) => tx.query(text, params), event.contactListFilterIds ?? [], (filterId) =>
      this.logger.warn({ msg: 'contact list filter missing; it matches nobody', campaignId: event.campaignId, filterId }),
    );
  }


  /**
   * Tells campaigns the new size of every run in progress on a list, after contacts joined it
   * (API insert, CSV import), so that progress counts them before the run is exhausted.
   */
  async announceAudience(listId: string): Promise<void> {
    const runs: { campaign_id: string; run_id: string; status: string; total: number; dispatched: number; exhausted: boolean }[] = await this.db.query(
      `SELECT campaign_id, run_id, status, total, dispatched, exhausted FROM contacts.dispatch_run WHERE list_id = $1 AND status IN ('on', 'off', 'stopping')`,
      [listId],
    );
    for (const r of runs) await this.publishAudience(r.campaign_id, r.run_id, r.total, r.dispatched, r.exhausted, undefined, r.status !== 'on');
  }

  private async publishAudience(campaignId: string, runId: string, total: number, dispatched: number, exhausted: boolean, causedBy?: EventEnvelope, halted?: boolean) {
    const data: CampaignAudienceV1 = { campaignId, runId, totalContacts: total, dispatchedContacts: dispatched, exhausted, halted };
    await this.publisher.publish(Topic.CampaignAudience, [{ key: campaignId, data, causedBy }]);
  }

  /**
   * One pass over the running campaigns, side by side (one campaign's publish does not make
   * another's slot late); answers how long the dispatcher may sleep.
   */
  private async tick(): Promise<number> {
    const runs = await this.db.getRepository(DispatchRunEntity).find({ where: { status: 'on', exhausted: false } });
    const wakes = await Promise.all(
      runs.map((run) =>
        // One span per campaign and tick: its trace context rides in every event of the batch.
        tracer.startActiveSpan('dispatch contacts', { attributes: { 'herald.campaign.id': run.campaignId } }, async (span) => {
          try {
            return this.stopped ? this.settings.tickMs : await this.db.transaction((tx) => this.dispatchSome(tx, run));
          } finally {
            span.end();
          }
        }),
      ),
    );
    return Math.min(this.settings.tickMs, ...wakes);
  }

  /**
   * Dispatches what the run's pace allows now; answers in how many ms the run needs the dispatcher
   * again. The pace is read and written on the run's row under the campaign's lock, with the
   * database's clock, so instances taking turns share one pace (dispatch/pacing.ts).
   */
  private async dispatchSome(tx: EntityManager, run: DispatchRunEntity): Promise<number> {
    const { tickMs, maxBatch } = this.settings;
    // One instance dispatches a campaign at a time.
    const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [dispatchLockOf(run.campaignId)]);
    if (!locked) return tickMs;
    const [pace]: { run_id: string; status: string; exhausted: boolean; rate: number; next_due: number | null; recent: [number, number][]; now: number }[] = await tx.query(
      `SELECT run_id, status, exhausted, messages_per_minute AS rate, pace_next_due_ms AS next_due, pace_recent AS recent,
              extract(epoch FROM clock_timestamp())::float8 * 1000 AS now
         FROM contacts.dispatch_run WHERE campaign_id = $1`,
      [run.campaignId],
    );
    // Under the lock: turned off, recycled or finished since the tick listed it stops it here.
    if (!pace || pace.run_id !== run.runId || pace.status !== 'on' || pace.exhausted) return tickMs;
    const state: PaceState = { nextDueAt: pace.next_due, recent: pace.recent };
    const { allowance: limit, wakeAt } = paceAllowance(state, pace.now, pace.rate, maxBatch);
    trace.getActiveSpan()?.setAttribute('herald.dispatch.allowance', limit);
    if (limit < 1) return wakeDelay(wakeAt, pace.now, pace.rate, tickMs);
    const params: unknown[] = [run.runId, run.listId, limit];
    const rows: { contact_id: string; data: Record<string, string> }[] = await tx.query(
      `SELECT rc.contact_id, c.data FROM contacts.run_contact rc
         JOIN contacts.contact c ON c.list_id = $2 AND c.id = rc.contact_id
        WHERE rc.run_id = $1 AND rc.dispatched_at IS NULL
        ORDER BY ${dispatchOrder(run.config.sorts ?? [], 'rc', 'c', params)} LIMIT $3
        FOR UPDATE OF rc SKIP LOCKED`,
      params,
    );
    if (rows.length === 0) {
      const [{ pending }] = await tx.query(
        `SELECT count(*)::int AS pending FROM contacts.run_contact WHERE run_id = $1 AND dispatched_at IS NULL`,
        [run.runId],
      );
      if (pending === 0) {
        await tx.query('UPDATE contacts.dispatch_run SET exhausted = true WHERE campaign_id = $1 AND run_id = $2', [run.campaignId, run.runId]);
        await this.publishAudience(run.campaignId, run.runId, run.total, run.dispatched, true);
        this.logger.log({ msg: 'campaign audience exhausted', campaignId: run.campaignId, runId: run.runId, dispatched: run.dispatched });
      }
      return tickMs;
    }
    const dispatches: OutgoingEvent<ContactDispatchedV1>[] = [];
    const skipped: OutgoingEvent<DeliveryResultV1>[] = [];
    for (const row of rows) {
      const messageId = campaignMessageId(run.runId, row.contact_id, run.channel);
      const base = { messageId, campaignId: run.campaignId, runId: run.runId, division: run.division, contactListId: run.listId, contactId: row.contact_id, channel: run.channel };
      const message = messageOf(run, row.data);
      if ('invalid' in message) {
        skipped.push({ key: messageId, data: resultFor(base, 'skipped', { reason: 'invalid-address', detail: message.invalid }) });
        continue;
      }
      dispatches.push({
        key: messageId,
        subject: messageId,
        data: { ...base, ...message, contactData: row.data, dncListIds: run.config.dncListIds },
      });
    }
    await this.publisher.publishAll([
      { topic: Topic.ContactDispatch, events: dispatches },
      { topic: Topic.DeliveryResult, events: skipped },
    ]);
    // dispatched_at is the pacing instant, so the table shows the pace the dispatcher kept.
    await tx.query(`UPDATE contacts.run_contact SET dispatched_at = to_timestamp($3::float8 / 1000) WHERE run_id = $1 AND contact_id = ANY($2)`, [
      run.runId,
      rows.map((r) => r.contact_id),
      pace.now,
    ]);
    // Only dispatch events take a slot: a contact skipped here for its address is not a message.
    const after = paceAfter(state, pace.now, pace.rate, dispatches.length);
    await tx.query('UPDATE contacts.dispatch_run SET dispatched = dispatched + $2, pace_next_due_ms = $3, pace_recent = $4 WHERE campaign_id = $1', [
      run.campaignId,
      rows.length,
      after.nextDueAt,
      JSON.stringify(after.recent),
    ]);
    run.dispatched += rows.length;
    return wakeDelay(paceAllowance(after, pace.now, pace.rate, maxBatch).wakeAt, pace.now, pace.rate, tickMs);
  }
}
