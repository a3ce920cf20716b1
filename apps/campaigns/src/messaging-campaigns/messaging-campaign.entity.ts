import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CampaignStatus, ContactSortV1 } from '@herald/contracts';
import type { CampaignError } from './campaign-validity';

export interface StoredSmsConfig {
  phoneColumn: string;
  messageColumn?: string;
  senderSmsPhoneNumber: string;
  contentTemplateId?: string;
}

/** Genesys `EmailConfig`, flattened: the from and reply-to addresses as local part and domain. */
export interface StoredEmailConfig {
  emailColumns: string[];
  contentTemplateId: string;
  fromDomain: string;
  fromLocalPart: string;
  fromName?: string;
  replyToDomain?: string;
  replyToLocalPart?: string;
}

@Entity({ name: 'messaging_campaign' })
export class MessagingCampaignEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') division!: string;
  @Column('text') status!: CampaignStatus;
  @Column('uuid', { name: 'run_id' }) runId!: string;
  @Column('uuid', { name: 'contact_list_id' }) contactListId!: string;
  @Column('jsonb', { name: 'dnc_list_ids' }) dncListIds!: string[];
  @Column('integer', { name: 'messages_per_minute' }) messagesPerMinute!: number;
  @Column('boolean', { name: 'always_running' }) alwaysRunning!: boolean;
  @Column('jsonb', { name: 'sms_config', nullable: true }) smsConfig!: StoredSmsConfig | null;
  @Column('jsonb', { name: 'email_config', nullable: true }) emailConfig!: StoredEmailConfig | null;
  @Column('jsonb', { name: 'contact_sorts' }) contactSorts!: ContactSortV1[];
  @Column('jsonb', { name: 'contact_list_filter_ids' }) contactListFilterIds!: string[];
  @Column('jsonb') errors!: CampaignError[];
  /** When the campaign became `stopping` (null otherwise): it is `off` at the latest CAMPAIGN_STOP_TIMEOUT_MS later. */
  @Column('timestamptz', { name: 'stopping_since', nullable: true }) stoppingSince!: Date | null;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
  @Column('timestamptz', { name: 'date_modified' }) dateModified!: Date;
}
