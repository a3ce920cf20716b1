import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { actingWith, ServiceToken } from '@herald/auth';
import { DomainError } from '@herald/service';
import { DataSource } from 'typeorm';
import { MessagingCampaignsService } from './messaging-campaigns.service';

export const REVALIDATE_INTERVAL_MS = Symbol('REVALIDATE_INTERVAL_MS');

/**
 * Every CAMPAIGN_REVALIDATE_INTERVAL_MS, re-checks each running campaign against what it names, as
 * a save does (MessagingCampaignsService.revalidate), with campaigns' own token: a campaign whose
 * sender number, sending domain, template column or other prerequisite has gone stops as
 * `invalid`, with its errors. A reference that cannot be read just now (a service down, a
 * permission campaigns' client lacks) changes nothing and is looked at again on the next pass.
 * RFC 6750: a token a peer refuses (401, e.g. its signing key was retired) is replaced and the
 * campaign re-checked once with the new one; a 403 (`missing.permissions`) keeps the token, since
 * a new one of the same client would lack the permission too.
 */
@Injectable()
export class CampaignRevalidator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CampaignRevalidator.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly campaigns: MessagingCampaignsService,
    private readonly token: ServiceToken,
    @Inject(REVALIDATE_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    const loop = () => {
      this.running = this.pass().finally(() => {
        if (this.timer) this.timer = setTimeout(loop, this.intervalMs);
      });
    };
    this.timer = setTimeout(loop, this.intervalMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over the running campaigns. */
  async pass(): Promise<void> {
    let ids: string[];
    try {
      await this.token.authorization(); // no token, no pass: one warning, not one per campaign
      ids = ((await this.db.query(`SELECT id FROM campaigns.messaging_campaign WHERE status = 'on'`)) as { id: string }[]).map((r) => r.id);
    } catch (e) {
      this.logger.warn({ msg: 'revalidating running campaigns failed; retrying on the next pass', err: (e as Error).message });
      return;
    }
    for (const id of ids) {
      if (!this.timer) return; // shutting down
      await this.revalidate(id).catch((e: unknown) => {
        const code = e instanceof DomainError ? e.code : undefined;
        this.logger.warn({ msg: 'could not revalidate a running campaign; retrying on the next pass', campaignId: id, code, err: (e as Error).message });
      });
    }
  }

  /** Re-checks one campaign with campaigns' token; a token refused (401) is replaced and the check tried once more. */
  private async revalidate(id: string, retried = false): Promise<void> {
    const authorization = await this.token.authorization();
    try {
      await actingWith(authorization, () => this.campaigns.revalidate(id));
    } catch (e) {
      if (retried || !(e instanceof DomainError && e.code === 'bad.credentials')) throw e;
      this.token.rejected(authorization);
      await this.revalidate(id, true);
    }
  }
}
