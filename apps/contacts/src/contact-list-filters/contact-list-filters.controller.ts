import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
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
  create(@Body() dto: ContactListFilterDto, @CallerDivisions() divisions: Divisions) {
    return this.filters.create(dto, divisions);
  }

  @Get()
  @RequirePermissions('outbound:contactListFilter:view')
  list(@Query() q: FilterListQuery, @CallerDivisions() divisions: Divisions) {
    return this.filters.list(pageOf(q), divisions, q);
  }

  @Get(':id')
  @RequirePermissions('outbound:contactListFilter:view')
  get(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.filters.get(id, divisions);
  }

  @Put(':id')
  @RequirePermissions('outbound:contactListFilter:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ContactListFilterDto, @CallerDivisions() divisions: Divisions) {
    return this.filters.update(id, dto, divisions);
  }

  @Delete(':id')
  @RequirePermissions('outbound:contactListFilter:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.filters.remove(id, divisions);
  }
}
