import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CampaignAudienceV1, DeliveryResultV1, EventEnvelope, HOME_DIVISION, TERMINAL_OUTCOMES } from '@herald/contracts';
import { ConsumedEvent } from '@herald/messaging';
import { DataSource } from 'typeorm';
import { MessagingCampaignEntity } from '../messaging-campaigns/messaging-campaign.entity';
import { MessagingCampaignsService } from '../messaging-campaigns/messaging-campaigns.service';

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

@Injectable()
export class ProgressService {
  private readonly logger = new Logger(ProgressService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly campaigns: MessagingCampaignsService,
  ) {}

  async progressOf(id: string): Promise<CampaignProgress> {
    const c = await this.campaigns.get(id);
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

  async bulk(ids: string[]): Promise<CampaignProgress[]> {
    const found = await this.db.getRepository(MessagingCampaignEntity).findBy(ids.map((id) => ({ id, division: HOME_DIVISION })));
    return Promise.all(found.map((c) => this.progressOf(c.id)));
  }

  /** Audience sizes from contacts (only the current run of a campaign counts). */
  async recordAudience(events: ConsumedEvent<CampaignAudienceV1>[]): Promise<void> {
    for (const { data } of events) {
      await this.db.query(
        `UPDATE campaigns.run_progress SET total = $2, exhausted = $3, audience_known = true WHERE run_id = $1`,
        [data.runId, data.totalContacts, data.exhausted],
      );
    }
    await this.completeFinished([...new Set(events.map((e) => e.data.runId))]);
  }

  /** Terminal outcomes, counted once per message whatever the redeliveries. */
  async recordResults(events: ConsumedEvent<DeliveryResultV1>[]): Promise<void> {
    const rows = events
      .filter((e) => e.data.runId && TERMINAL_OUTCOMES.includes(e.data.outcome))
      .map((e) => ({ run_id: e.data.runId, message_id: e.data.messageId, outcome: e.data.outcome, reason: e.data.reason ?? null }));
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO campaigns.run_result (run_id, message_id, outcome, reason)
       SELECT x.run_id, x.message_id, x.outcome, x.reason FROM jsonb_to_recordset($1::jsonb) AS x(run_id uuid, message_id uuid, outcome text, reason text)
       JOIN campaigns.run_progress p ON p.run_id = x.run_id
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
    await this.completeFinished([...new Set(rows.map((r) => r.run_id!))]);
  }

  /** A run whose every dispatched contact has a terminal outcome makes its campaign complete. */
  private async completeFinished(runIds: string[], causedBy?: EventEnvelope): Promise<void> {
    if (runIds.length === 0) return;
    const finished: { campaign_id: string }[] = await this.db.query(
      `SELECT p.campaign_id FROM campaigns.run_progress p
         JOIN campaigns.messaging_campaign c ON c.id = p.campaign_id AND c.run_id = p.run_id
        WHERE p.run_id = ANY($1) AND p.exhausted AND NOT c.always_running AND c.status IN ('on', 'stopping')
          AND (SELECT count(*) FROM campaigns.run_result r WHERE r.run_id = p.run_id) >= p.total`,
      [runIds],
    );
    for (const { campaign_id } of finished) {
      await this.db.transaction(async (tx) => {
        const [c] = await tx.getRepository(MessagingCampaignEntity).find({ where: { id: campaign_id }, lock: { mode: 'pessimistic_write' } });
        if (!c || (c.status !== 'on' && c.status !== 'stopping')) return;
        await tx.query('UPDATE campaigns.messaging_campaign SET version = version + 1, date_modified = now() WHERE id = $1', [c.id]);
        await this.campaigns.changeStatus(tx, c, 'complete', causedBy);
      });
      this.logger.log({ msg: 'campaign complete', campaignId: campaign_id });
    }
  }
}
