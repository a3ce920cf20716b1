import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'signing_key' })
export class SigningKeyEntity {
  @PrimaryColumn('text') kid!: string;
  @Column('text') alg!: string;
  @Column('jsonb', { name: 'public_jwk' }) publicJwk!: JWK;
  @Column('text', { name: 'private_pkcs8' }) privatePkcs8!: string;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
  @Column('timestamptz', { name: 'activates_at' }) activatesAt!: Date;
  @Column('timestamptz', { name: 'retired_at', nullable: true }) retiredAt!: Date | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
}
