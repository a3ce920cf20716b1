import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CallerDivisions, Divisions, PREVIEW_PERMISSION, RequirePermissions } from '@herald/auth';
import { DataSource } from 'typeorm';
import { CHANNELS, Channel } from '@herald/contracts';
import { ArrayMaxSize, IsArray, IsIn, IsString, IsUUID } from 'class-validator';
import { ContactFilterService } from './contact-filter.service';

export class FilterCheckDto {
  @IsIn(CHANNELS) channel!: Channel;
  @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) dncListIds!: string[];
  @IsArray() @ArrayMaxSize(5_000) @IsString({ each: true }) addresses!: string[];
}

/**
 * Internal (not routed by the edge): the filter stage's decision for a batch of addresses, without
 * publishing anything, for the pre-launch preview in campaigns. Answers one decision per address,
 * in order. DNC lists of divisions the caller does not hold count for nothing, as unknown ones do.
 */
@Controller('internal/dnc')
export class FilterCheckController {
  constructor(
    private readonly filter: ContactFilterService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Post('check')
  @RequirePermissions(PREVIEW_PERMISSION)
  @HttpCode(200)
  async check(@Body() dto: FilterCheckDto, @CallerDivisions() divisions: Divisions) {
    const lists: { id: string; division: string }[] = await this.db.query('SELECT id, division FROM dnc.dnc_list WHERE id = ANY($1)', [dto.dncListIds]);
    const dncListIds = lists.filter((l) => divisions.has(l.division)).map((l) => l.id);
    const decisions = await this.filter.decide(dto.addresses.map((address) => ({ channel: dto.channel, address, dncListIds })));
    return { decisions };
  }
}
