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
  isE164,
  resultFor,
  Topic,
} from '@herald/contracts';
import { EventPublisher, OutgoingEvent } from '@herald/messaging';
import { DataSource, EntityManager } from 'typeorm';
import { audienceCondition, ContactFilter, dispatchOrder, loadFilters } from '../audience/audience';
import { DispatchConfig, DispatchRunEntity } from './dispatch-run.entity';
import { DISPATCH_SETTINGS, DispatchSettings } from './dispatch.settings';

const tracer = trace.getTracer('@herald/contacts');

/** The advisory lock that one dispatch of a campaign, or a status change of it, holds. */
function dispatchLockOf(campaignId: string): string {
  return `herald:dispatch:${campaignId}`;
}

interface Bucket {
  tokens: number;
  last: number;
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
  private readonly buckets = new Map<string, Bucket>();
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
      this.running = this.tick().catch((e: unknown) => this.logger.warn({ msg: 'dispatch tick failed; retrying', err: (e as Error).message }));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.settings.tickMs);
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
      const config: DispatchConfig = { sms: event.sms, dncListIds: event.dncListIds, filters, sorts: event.contactSorts ?? [] };
      await tx.query(
        `INSERT INTO contacts.dispatch_run (campaign_id, run_id, division, list_id, status, channel, messages_per_minute, always_running, config)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (campaign_id) DO UPDATE SET
           total = CASE WHEN dispatch_run.run_id = EXCLUDED.run_id THEN dispatch_run.total ELSE 0 END,
           dispatched = CASE WHEN dispatch_run.run_id = EXCLUDED.run_id THEN dispatch_run.dispatched ELSE 0 END,
           exhausted = CASE WHEN dispatch_run.run_id = EXCLUDED.run_id THEN dispatch_run.exhausted ELSE false END,
           run_id = EXCLUDED.run_id, division = EXCLUDED.division, list_id = EXCLUDED.list_id, status = EXCLUDED.status,
           channel = EXCLUDED.channel, messages_per_minute = EXCLUDED.messages_per_minute,
           always_running = EXCLUDED.always_running, config = EXCLUDED.config, updated_at = now()`,
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
    const ids = event.contactListFilterIds ?? [];
    const found = await loadFilters((text, params) => tx.query(text, params), ids);
    return ids.map((id) => {
      const f = found.find((x) => x.id === id);
      if (!f) this.logger.warn({ msg: 'contact list filter missing; it matches nobody', campaignId: event.campaignId, filterId: id });
      return f ? { id, filterType: f.filterType, clauses: f.clauses } : { id, filterType: 'AND', clauses: [], missing: true };
    });
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

  private take(run: DispatchRunEntity, now: number): number {
    const perMs = run.messagesPerMinute / 60_000;
    const bucket = this.buckets.get(run.campaignId) ?? { tokens: 1, last: now };
    const elapsed = now - bucket.last;
    // The bucket holds at most what one interval earns (two ticks, or the time a slow tick took),
    // so a slow tick does not lose sending time and an idle spell does not save up a burst.
    const cap = Math.max(1, perMs * Math.max(this.settings.tickMs * 2, elapsed));
    bucket.tokens = Math.min(cap, bucket.tokens + elapsed * perMs);
    bucket.last = now;
    this.buckets.set(run.campaignId, bucket);
    return Math.min(this.settings.maxBatch, Math.floor(bucket.tokens));
  }

  private async tick(): Promise<void> {
    const runs = await this.db.getRepository(DispatchRunEntity).find({ where: { status: 'on', exhausted: false } });
    const active = new Set(runs.map((r) => r.campaignId));
    for (const id of this.buckets.keys()) if (!active.has(id)) this.buckets.delete(id);
    for (const run of runs) {
      if (this.stopped) return;
      const allowance = this.take(run, Date.now());
      if (allowance < 1) continue;
      // One span per dispatched batch: its trace context rides in every event of the batch.
      const sent = await tracer.startActiveSpan('dispatch contacts', { attributes: { 'herald.campaign.id': run.campaignId, 'herald.dispatch.allowance': allowance } }, async (span) => {
        try {
          return await this.db.transaction((tx) => this.dispatchSome(tx, run, allowance));
        } finally {
          span.end();
        }
      });
      this.buckets.get(run.campaignId)!.tokens -= sent;
    }
  }

  private async dispatchSome(tx: EntityManager, run: DispatchRunEntity, limit: number): Promise<number> {
    // One instance dispatches a campaign at a time.
    const [{ locked }] = await tx.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [dispatchLockOf(run.campaignId)]);
    if (!locked) return 0;
    // Under the lock: a status applied since the tick read the run stops it here.
    const [now] = await tx.query('SELECT status, run_id FROM contacts.dispatch_run WHERE campaign_id = $1', [run.campaignId]);
    if (now?.status !== 'on' || now.run_id !== run.runId) return 0;
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
      return 0;
    }
    const dispatches: OutgoingEvent<ContactDispatchedV1>[] = [];
    const skipped: OutgoingEvent<DeliveryResultV1>[] = [];
    const sms = run.config.sms;
    for (const row of rows) {
      const messageId = campaignMessageId(run.runId, row.contact_id, run.channel);
      const address = sms ? row.data[sms.phoneColumn] : undefined;
      const base = { messageId, campaignId: run.campaignId, runId: run.runId, division: run.division, contactListId: run.listId, contactId: row.contact_id };
      if (!sms || !address || !isE164(address)) {
        skipped.push({
          key: messageId,
          data: resultFor({ ...base, channel: run.channel }, 'skipped', { reason: 'invalid-address', detail: `no valid phone number in column "${sms?.phoneColumn}"` }),
        });
        continue;
      }
      dispatches.push({
        key: messageId,
        subject: messageId,
        data: {
          ...base,
          channel: run.channel,
          address,
          senderAddress: sms.senderSmsPhoneNumber,
          templateId: sms.contentTemplateId,
          messageColumn: sms.messageColumn,
          contactData: row.data,
          dncListIds: run.config.dncListIds,
        },
      });
    }
    await this.publisher.publishAll([
      { topic: Topic.ContactDispatch, events: dispatches },
      { topic: Topic.DeliveryResult, events: skipped },
    ]);
    await tx.query(`UPDATE contacts.run_contact SET dispatched_at = now() WHERE run_id = $1 AND contact_id = ANY($2)`, [run.runId, rows.map((r) => r.contact_id)]);
    await tx.query('UPDATE contacts.dispatch_run SET dispatched = dispatched + $2 WHERE campaign_id = $1', [run.campaignId, rows.length]);
    run.dispatched += rows.length;
    return rows.length;
  }
}
