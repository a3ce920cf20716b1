import { Body, Controller, HttpCode, Post } from '@nestjs/common';
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
 * in order.
 */
@Controller('internal/dnc')
export class FilterCheckController {
  constructor(private readonly filter: ContactFilterService) {}

  @Post('check')
  @HttpCode(200)
  async check(@Body() dto: FilterCheckDto) {
    const decisions = await this.filter.decide(dto.addresses.map((address) => ({ channel: dto.channel, address, dncListIds: dto.dncListIds })));
    return { decisions };
  }
}
