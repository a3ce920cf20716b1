import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface ResponseText {
  content: string;
  contentType: string;
  type?: string;
}
export interface ResponseSubstitution {
  id: string;
  description?: string;
  defaultValue?: string;
}

@Entity({ name: 'response' })
export class ResponseEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') division!: string;
  @Column('text', { name: 'response_type' }) responseType!: string;
  @Column('jsonb') libraries!: { id: string; name?: string }[];
  @Column('jsonb') texts!: ResponseText[];
  @Column('jsonb') substitutions!: ResponseSubstitution[];
  @Column('integer') version!: number;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
}
