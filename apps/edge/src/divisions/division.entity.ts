import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'division' })
export class DivisionEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('boolean') home!: boolean;
  @Column('timestamptz', { name: 'date_created' }) dateCreated!: Date;
  @Column('timestamptz', { name: 'date_modified' }) dateModified!: Date;
}
