import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CampaignStatus, Channel, EmailDispatchConfig, SmsDispatchConfig } from '@herald/contracts';
import { AudienceSettings } from '../audience/audience';

/** A run's settings as the lifecycle event gave them; filters are copied in when the run is turned on. */
export interface DispatchConfig extends AudienceSettings {
  sms?: SmsDispatchConfig;
  email?: EmailDispatchConfig;
  dncListIds: string[];
}

/** What contacts knows of a campaign: its current run, as told by the lifecycle topic. */
@Entity({ name: 'dispatch_run' })
export class DispatchRunEntity {
  @PrimaryColumn('uuid', { name: 'campaign_id' }) campaignId!: string;
  @Column('uuid', { name: 'run_id' }) runId!: string;
  @Column('text') division!: string;
  @Column('uuid', { name: 'list_id' }) listId!: string;
  @Column('text') status!: CampaignStatus;
  @Column('text') channel!: Channel;
  @Column('integer', { name: 'messages_per_minute' }) messagesPerMinute!: number;
  @Column('boolean', { name: 'always_running' }) alwaysRunning!: boolean;
  @Column('jsonb') config!: DispatchConfig;
  @Column('integer') total!: number;
  @Column('integer') dispatched!: number;
  @Column('boolean') exhausted!: boolean;
}

@Entity({ name: 'run_contact' })
export class RunContactEntity {
  @PrimaryColumn('uuid', { name: 'run_id' }) runId!: string;
  @PrimaryColumn('text', { name: 'contact_id' }) contactId!: string;
  @Column('boolean') priority!: boolean;
  @Column('bigint') seq!: string;
  @Column('timestamptz', { name: 'dispatched_at', nullable: true }) dispatchedAt!: Date | null;
}
