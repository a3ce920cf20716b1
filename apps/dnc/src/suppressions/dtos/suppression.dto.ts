import { Type } from 'class-transformer';
import { SUPPRESSION_REASONS } from '@herald/contracts';
import { IsIn, IsInt, IsOptional, IsString, Length } from 'class-validator';

export const CHANNELS = ['sms', 'email'] as const;
const REASONS = SUPPRESSION_REASONS;
export type SuppressionChannel = (typeof CHANNELS)[number];

/** Herald extension: one global suppression entry. */
export class SuppressionDto {
  @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` }) channel!: SuppressionChannel;
  @IsString() @Length(1, 320) address!: string;
  @IsIn(REASONS, { message: `reason must be one of ${REASONS.join(', ')}` }) reason!: (typeof REASONS)[number];
  @IsString() @Length(1, 256) source!: string;
  @IsOptional() @IsString() @Length(1, 256) createdBy?: string;
}

export class SuppressionQuery {
  @IsOptional() @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` }) channel?: SuppressionChannel;
  @IsOptional() @IsString() @Length(1, 320) address?: string;
  @IsOptional() @Type(() => Number) @IsInt() pageSize?: number;
  @IsOptional() @Type(() => Number) @IsInt() pageNumber?: number;
}
