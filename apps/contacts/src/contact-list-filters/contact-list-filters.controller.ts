import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { RequirePermissions } from '@herald/auth';
import { pageOf } from '@herald/persistence';
import { ContactListFilterDto, FilterListQuery } from './contact-list-filter.dto';
import { ContactListFiltersService } from './contact-list-filters.service';

/** Genesys Cloud `/api/v2/outbound/contactlistfilters` (OutboundApi). */
@Controller('api/v2/outbound/contactlistfilters')
export class ContactListFiltersController {
  constructor(private readonly filters: ContactListFiltersService) {}

  @Post()
  @RequirePermissions('outbound:contactListFilter:add')
  @HttpCode(200)
  create(@Body() dto: ContactListFilterDto) {
    return this.filters.create(dto);
  }

  @Get()
  @RequirePermissions('outbound:contactListFilter:view')
  list(@Query() q: FilterListQuery) {
    return this.filters.list(pageOf(q), q);
  }

  @Get(':id')
  @RequirePermissions('outbound:contactListFilter:view')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.filters.get(id);
  }

  @Put(':id')
  @RequirePermissions('outbound:contactListFilter:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ContactListFilterDto) {
    return this.filters.update(id, dto);
  }

  @Delete(':id')
  @RequirePermissions('outbound:contactListFilter:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.filters.remove(id);
  }
}
