import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ALL_DIVISIONS, Divisions } from '@herald/auth';
import { CampaignAudienceV1, DeliveryResultV1, EventEnvelope, TERMINAL_OUTCOMES } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { DataSource } from 'typeorm';
import { MessagingCampaignEntity } from '../messaging-campaigns/messaging-campaign.entity';
import { MessagingCampaignsService } from '../messaging-campaigns/messaging-campaigns.service';
import { NotFoundError } from '@herald/service';
import { serveEventStream, SharedPoll, StreamSettings } from './progress-stream';
import type { Request, Response } from 'express';

/** Genesys `CampaignProgress`, plus Herald's per-outcome counts. */
export interface CampaignProgress {
  campaign: { id: string; selfUri: string };
  contactList: { id: string; selfUri: string };
  totalNumberOfContacts: number;
  numberOfContactsMessaged: number;
  numberOfContactsSkipped: Record<string, number>;
  numberOfContactsRejected: number;
  numberOfContactsFailed: number;
  numberOfContactsUnknown: number;
  percentage: number;
}

/** What a progress stream sends: the progress with the campaign's status. */
export type StreamedProgress = CampaignProgress & { campaignStatus: string };
/** A stream's reading: the progress, and the division whose callers may see it. */
type ProgressReading = { division: string; progress: StreamedProgress };

export const PROGRESS_SETTINGS = Symbol('PROGRESS_SETTINGS');
export interface ProgressSettings extends StreamSettings {
  /** A stopping campaign is `off` at the latest this long after it began stopping. */
  stopTimeoutMs: number;
}

@Injectable()
export class ProgressService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProgressService.name);
  private sweeper?: NodeJS.Timeout;
  /** The streams' one poll per campaign, read with every division; each stream shows it only to a caller who may see the campaign. */
  private readonly streamed: SharedPoll<ProgressReading>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly campaigns: MessagingCampaignsService,
    @Inject(PROGRESS_SETTINGS) private readonly settings: ProgressSettings,
  ) {
    const everything = new Divisions([ALL_DIVISIONS]);
    this.streamed = new SharedPoll<ProgressReading>(settings.pollMs, async (id) => {
      const c = await this.campaigns.get(id, everything);
      return { division: c.division, progress: { ...(await this.progressOfCampaign(c)), campaignStatus: c.status } };
    });
  }

  async progressOf(id: string, divisions: Divisions): Promise<CampaignProgress> {
    return this.progressOfCampaign(await this.campaigns.get(id, divisions));
  }

  private async progressOfCampaign(c: MessagingCampaignEntity): Promise<CampaignProgress> {
    const [run] = await this.db.query('SELECT total FROM campaigns.run_progress WHERE run_id = $1', [c.runId]);
    const rows: { outcome: string; reason: string | null; n: number }[] = await this.db.query(
      'SELECT outcome, reason, count(*)::int AS n FROM campaigns.run_result WHERE run_id = $1 GROUP BY outcome, reason',
      [c.runId],
    );
    const count = (o: string) => rows.filter((r) => r.outcome === o).reduce((a, r) => a + r.n, 0);
    const skipped: Record<string, number> = {};
    for (const r of rows) if (r.outcome === 'skipped') skipped[r.reason ?? 'other'] = (skipped[r.reason ?? 'other'] ?? 0) + r.n;
    const total: number = run?.total ?? 0;
    const done = rows.reduce((a, r) => a + r.n, 0);
    return {
      campaign: { id: c.id, selfUri: `/api/v2/outbound/messagingcampaigns/${c.id}` },
      contactList: { id: c.contactListId, selfUri: `/api/v2/outbound/contactlists/${c.contactListId}` },
      totalNumberOfContacts: total,
      numberOfContactsMessaged: count('accepted'),
      numberOfContactsSkipped: skipped,
      numberOfContactsRejected: count('rejected'),
      numberOfContactsFailed: count('failed'),
      numberOfContactsUnknown: count('unknown'),
      percentage: total === 0 ? (c.status === 'complete' ? 100 : 0) : Math.min(100, Math.floor((done * 100) / total)),
    };
  }

  /** GET …/progress/stream: the progress (with the campaign's status) as server-sent events. */
  async stream(id: string, divisions: Divisions, req: Request, res: Response): Promise<void> {
    await this.campaigns.get(id, divisions); // 404 before the stream starts
    serveEventStream(
      req,
      res,
      this.settings,
      (listener) => this.streamed.subscribe(id, listener),
      // A campaign moved out of the caller's divisions meanwhile is as gone as a deleted one.
      ({ division, progress }: ProgressReading) => (divisions.has(division) ? progress : new NotFoundError('messaging.campaign', id)),
    );
  }

  /** Another division's campaigns are left out, as unknown ids are. */
  async bulk(ids: string[], divisions: Divisions): Promise<CampaignProgress[]> {
    const found = (await this.db.getRepository(MessagingCampaignEntity).findBy(ids.map((id) => ({ id })))).filter((c) => divisions.has(c.division));
    return Promise.all(found.map((c) => this.progressOfCampaign(c)));
  }

  /** Audience sizes from contacts (only the current run of a campaign counts). */
  async recordAudience(events: ConsumedEvent<CampaignAudienceV1>[]): Promise<void> {
    for (const { data } of events) {
      await this.db.query(
        `UPDATE campaigns.run_progress SET total = $2, exhausted = $3, audience_known = true, dispatched = $4, halted = coalesce($5, false) WHERE run_id = $1`,
        [data.runId, data.totalContacts, data.exhausted, data.dispatchedContacts, data.halted ?? null],
      );
    }
    await this.settle([...new Set(events.map((e) => e.data.runId))]);
  }

  /**
   * Terminal outcomes, counted once per message whatever the redeliveries (one statement: rows and
   * counter together). A message recorded `unknown` (an ambiguous send) that its provider later
   * reported on comes back `accepted`: the row changes (messaged, no longer unknown), the count of
   * done messages does not. A delivery timeout's `unknown` after `accepted` changes nothing.
   */
  async recordResults(events: ConsumedEvent<DeliveryResultV1>[]): Promise<void> {
    const rows = events
      .filter((e) => e.data.runId && TERMINAL_OUTCOMES.includes(e.data.outcome))
      .map((e) => ({ run_id: e.data.runId, message_id: e.data.messageId, outcome: e.data.outcome, reason: e.data.reason ?? null }));
    if (rows.length === 0) return;
    await this.db.query(
      `WITH inserted AS (
         INSERT INTO campaigns.run_result AS r (run_id, message_id, outcome, reason)
         SELECT DISTINCT ON (x.run_id, x.message_id) x.run_id, x.message_id, x.outcome, x.reason
           FROM jsonb_to_recordset($1::jsonb) AS x(run_id uuid, message_id uuid, outcome text, reason text)
           JOIN campaigns.run_progress p ON p.run_id = x.run_id
          ORDER BY x.run_id, x.message_id, x.outcome = 'accepted' DESC
         ON CONFLICT (run_id, message_id) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason
          WHERE r.outcome = 'unknown' AND EXCLUDED.outcome = 'accepted'
         RETURNING run_id, xmax = 0 AS fresh)
       UPDATE campaigns.run_progress p SET done = p.done + n.count
         FROM (SELECT run_id, count(*)::int AS count FROM inserted WHERE fresh GROUP BY run_id) n
        WHERE p.run_id = n.run_id`,
      [JSON.stringify(rows)],
    );
    await this.settle([...new Set(rows.map((r) => r.run_id!))]);
  }

  /**
   * Moves campaigns whose run has settled: `complete` when every contact of an exhausted run has
   * a terminal result (unless alwaysRunning); `off` when a stopping run's dispatched contacts all
   * have one, or it has been stopping for longer than the stop timeout.
   */
  async settle(runIds: string[], causedBy?: EventEnvelope): Promise<void> {
    if (runIds.length === 0) return;
    const settled: { campaign_id: string; next: 'complete' | 'off'; timed_out: boolean }[] = await this.db.query(
      `SELECT p.campaign_id,
              CASE WHEN p.exhausted AND NOT c.always_running AND p.done >= p.total THEN 'complete' ELSE 'off' END AS next,
              NOT (p.halted AND p.done >= p.dispatched) AS timed_out
         FROM campaigns.run_progress p
         JOIN campaigns.messaging_campaign c ON c.id = p.campaign_id AND c.run_id = p.run_id
        WHERE p.run_id = ANY($1) AND (
              (c.status IN ('on', 'stopping') AND p.exhausted AND NOT c.always_running AND p.done >= p.total)
           OR (c.status = 'stopping' AND ((p.halted AND p.done >= p.dispatched) OR c.stopping_since < now() - make_interval(secs => $2::float8 / 1000))))`,
      [runIds, this.settings.stopTimeoutMs],
    );
    for (const { campaign_id, next, timed_out } of settled) {
      const moved = await this.db.transaction(async (tx) => {
        const [c] = await tx.getRepository(MessagingCampaignEntity).find({ where: { id: campaign_id }, lock: { mode: 'pessimistic_write' } });
        if (!c || (next === 'complete' ? c.status !== 'on' && c.status !== 'stopping' : c.status !== 'stopping')) return false;
        await tx.query('UPDATE campaigns.messaging_campaign SET version = version + 1, date_modified = now() WHERE id = $1', [c.id]);
        await this.campaigns.changeStatus(tx, c, next, causedBy);
        return true;
      });
      if (moved && next === 'complete') this.logger.log({ msg: 'campaign complete', campaignId: campaign_id });
      if (moved && next === 'off') this.logger.log({ msg: timed_out ? 'campaign stopped; stop timeout passed with messages in flight' : 'campaign stopped; messages in flight finished', campaignId: campaign_id });
    }
  }

  /** Every second: stopping campaigns whose stop timeout passed (and any whose settling was missed) are settled. */
  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.db
        .query(`SELECT run_id FROM campaigns.messaging_campaign WHERE status = 'stopping'`)
        .then((rows: { run_id: string }[]) => this.settle(rows.map((r) => r.run_id)))
        .catch((e: unknown) => this.logger.warn({ msg: 'settling stopping campaigns failed; retrying', err: (e as Error).message }));
    }, 1_000);
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }
}
