import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'oauth_client' })
export class OAuthClientEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { name: 'authorized_grant_type' }) authorizedGrantType!: string;
  @Column('text', { array: true }) scope!: string[];
  /** The divisions the client is granted: ids, or `*` for every division. */
  @Column('text', { array: true }) divisions!: string[];
  @Column('integer', { name: 'access_token_validity_seconds' }) accessTokenValiditySeconds!: number;
  @Column('integer', { name: 'rate_limit_per_second', nullable: true }) rateLimitPerSecond!: number | null;
  @Column('text') state!: string;
  @Column('text', { name: 'secret_hash' }) secretHash!: string;
  @Column('text', { name: 'previous_secret_hash', nullable: true }) previousSecretHash!: string | null;
  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true }) previousSecretExpiresAt!: Date | null;
  @Column('text', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('text', { name: 'modified_by', nullable: true }) modifiedBy!: string | null;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
  @Column('timestamptz', { name: 'date_modified' }) dateModified!: Date;
}
