import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface PhoneColumn {
  columnName: string;
  type: string;
  callableTimeColumnName?: string;
}
export interface EmailColumn {
  columnName: string;
  type: string;
  contactableTimeColumnName?: string;
}

@Entity({ name: 'contact_list' })
export class ContactListEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') division!: string;
  @Column('jsonb', { name: 'column_names' }) columnNames!: string[];
  @Column('jsonb', { name: 'phone_columns' }) phoneColumns!: PhoneColumn[];
  @Column('jsonb', { name: 'email_columns' }) emailColumns!: EmailColumn[];
  @Column('text', { name: 'default_region', nullable: true }) defaultRegion!: string | null;
  @Column('boolean', { name: 'trim_whitespace' }) trimWhitespace!: boolean;
  @Column('boolean', { name: 'automatic_time_zone_mapping' }) automaticTimeZoneMapping!: boolean;
  @Column('text', { name: 'zip_code_column', nullable: true }) zipCodeColumn!: string | null;
  /** Herald: a column holding each contact's IANA time zone name. */
  @Column('text', { name: 'time_zone_column', nullable: true }) timeZoneColumn!: string | null;
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
  @Column('timestamptz', { name: 'date_modified' }) dateModified!: Date;
}

@Entity({ name: 'contact' })
export class ContactEntity {
  @PrimaryColumn('uuid', { name: 'list_id' }) listId!: string;
  @PrimaryColumn('text') id!: string;
  @Column({ type: 'bigint', insert: false, update: false }) seq!: string;
  @Column('jsonb') data!: Record<string, string>;
  @Column('boolean') priority!: boolean;
  @Column({ type: 'timestamptz', name: 'date_created', insert: false, update: false }) dateCreated!: Date;
}
