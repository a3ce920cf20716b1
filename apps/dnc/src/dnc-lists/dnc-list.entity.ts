import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Genesys ImportStatus, plus Herald's `rejectedRecords`. */
export interface ImportStatus {
  state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  totalRecords: number;
  completedRecords: number;
  rejectedRecords: number;
  percentComplete: number;
  failureReason?: string;
}

export interface ImportRejection {
  row: number;
  value?: string;
  reason: string;
}

export type ContactMethod = 'Phone' | 'Email' | 'Any';

@Entity({ name: 'dnc_list' })
export class DncListEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') division!: string;
  @Column('text', { name: 'dnc_source_type' }) dncSourceType!: string;
  @Column('text', { name: 'contact_method' }) contactMethod!: ContactMethod;
  @Column('text', { name: 'default_region' }) defaultRegion!: string;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
  @Column('timestamptz', { name: 'date_modified' }) dateModified!: Date;
  @Column('jsonb', { name: 'import_status', nullable: true }) importStatus!: ImportStatus | null;
  @Column('jsonb', { name: 'import_rejections', nullable: true }) importRejections!: ImportRejection[] | null;
  @Column('timestamptz', { name: 'import_heartbeat_at', nullable: true }) importHeartbeatAt!: Date | null;
  @Column('timestamptz', { name: 'export_requested_at', nullable: true }) exportRequestedAt!: Date | null;
}
