import { Divisions } from '@herald/auth';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainError, NotFoundError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MessagingCampaignEntity } from '../messaging-campaigns/messaging-campaign.entity';
import { emailDispatchConfigOf } from '../messaging-campaigns/email-sending';
import { MessagingCampaignsService } from '../messaging-campaigns/messaging-campaigns.service';
import { ChannelSettings, PreviewStagesClient } from './preview-stages.client';
import { PreviewResult, PreviewTally } from './preview-tally';

/** Contacts per round trip to each stage. */
const BATCH = 1_000;
/** A preview with no progress for this long belonged to a process that stopped. */
const STALE_MS = 60_000;

interface PreviewRow {
  id: string;
  campaign_id: string;
  state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  total: number | null;
  processed: number;
  result: PreviewResult | null;
  failure_reason: string | null;
  date_created: Date;
  date_modified: Date;
  date_completed: Date | null;
}

/**
 * Pre-launch previews: a dry run of a campaign that is not running. Nothing is dispatched or
 * sent; the audience is streamed from contacts page by page and each contact is put to the same
 * decisions a run would make, by the services that make them (see PreviewStagesClient).
 */
@Injectable()
export class PreviewsService {
  private readonly logger = new Logger(PreviewsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly campaigns: MessagingCampaignsService,
    private readonly stages: PreviewStagesClient,
  ) {}

  async start(campaignId: string, divisions: Divisions) {
    const campaign = await this.campaigns.get(campaignId, divisions);
    if (campaign.status === 'on' || campaign.status === 'stopping') {
      throw new DomainError('campaign.running', `campaign ${campaignId} is ${campaign.status}: a preview is a dry run of a campaign that is not running; turn it off first`, 400);
    }
    const id = randomUUID();
    await this.db.query(`INSERT INTO campaigns.campaign_preview (id, campaign_id, state) VALUES ($1, $2, 'IN_PROGRESS')`, [id, campaignId]);
    void this.run(id, campaign).catch(async (e: unknown) => {
      const reason = e instanceof DomainError ? e.message : 'the preview failed on a server error';
      this.logger.warn({ msg: 'preview failed', previewId: id, campaignId, err: (e as Error).message });
      await this.db
        .query(`UPDATE campaigns.campaign_preview SET state = 'FAILED', failure_reason = $2, date_modified = now(), date_completed = now() WHERE id = $1`, [id, reason])
        .catch(() => undefined);
    });
    return this.get(campaignId, id, divisions);
  }

  async get(campaignId: string, previewId: string, divisions: Divisions) {
    await this.campaigns.get(campaignId, divisions);
    const [row]: PreviewRow[] = await this.db.query('SELECT * FROM campaigns.campaign_preview WHERE id = $1 AND campaign_id = $2', [previewId, campaignId]);
    if (!row) throw new NotFoundError('messaging.campaign.preview', previewId);
    return this.toResource(row);
  }

  private toResource(r: PreviewRow) {
    const stale = r.state === 'IN_PROGRESS' && Date.now() - r.date_modified.getTime() > STALE_MS;
    const state = stale ? 'FAILED' : r.state;
    return {
      id: r.id,
      campaign: { id: r.campaign_id, selfUri: `/api/v2/outbound/messagingcampaigns/${r.campaign_id}` },
      state,
      totalContacts: r.total ?? undefined,
      contactsProcessed: r.processed,
      percentComplete: state === 'SUCCEEDED' ? 100 : r.total ? Math.min(99, Math.floor((r.processed * 100) / r.total)) : 0,
      dateCreated: r.date_created.toISOString(),
      dateCompleted: r.date_completed?.toISOString(),
      failureReason: stale ? 'the service running the preview stopped before it finished' : (r.failure_reason ?? undefined),
      result: r.result ?? undefined,
      selfUri: `/api/v2/outbound/messagingcampaigns/${r.campaign_id}/previews/${r.id}`,
    };
  }

  private async run(id: string, campaign: MessagingCampaignEntity): Promise<void> {
    const { smsConfig: sms, emailConfig: email } = campaign;
    const channel = email ? 'email' : 'sms';
    const settings: ChannelSettings = email ? { email: emailDispatchConfigOf(email) } : { sms: sms! };
    const render = (contacts: Record<string, string>[]) =>
      email ? this.stages.renderEmail(email.contentTemplateId, contacts) : this.stages.renderSms({ templateId: sms!.contentTemplateId, messageColumn: sms!.messageColumn }, contacts);
    const tally = new PreviewTally(channel);
    let after: string | undefined;
    let processed = 0;
    do {
      const page = await this.stages.audience(campaign.contactListId, settings, campaign.contactListFilterIds, after, BATCH);
      tally.addAudience(page.contacts.length, page.filteredOut);
      const addressed = page.contacts.flatMap((c) => ('address' in c ? [c] : []));
      tally.addInvalidAddresses(page.contacts.length - addressed.length);
      const decisions = await this.stages.filter(channel, campaign.dncListIds, addressed.map((c) => c.address));
      decisions.forEach((d) => tally.addFilterDecision(d));
      const cleared = addressed.filter((_, i) => decisions[i]!.cleared);
      const outcomes = await render(cleared.map((c) => c.data));
      outcomes.forEach((o) => tally.addRender(o));
      processed += page.contacts.length;
      after = page.next ?? undefined;
      await this.db.query('UPDATE campaigns.campaign_preview SET processed = $2, total = COALESCE($3, total), date_modified = now() WHERE id = $1', [id, processed, page.total ?? null]);
    } while (after);
    await this.db.query(
      `UPDATE campaigns.campaign_preview SET state = 'SUCCEEDED', result = $2, total = $3, date_modified = now(), date_completed = now() WHERE id = $1`,
      [id, JSON.stringify(tally.result(campaign)), processed],
    );
    this.logger.log({ msg: 'preview done', previewId: id, campaignId: campaign.id, contacts: processed });
  }
}
