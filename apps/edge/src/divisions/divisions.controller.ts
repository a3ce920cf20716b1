import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { pageOf } from '@herald/persistence';
import { ApiTags } from '@nestjs/swagger';
import { DivisionDto, DivisionGetQuery, DivisionQuery } from './division.dto';
import { DivisionsService } from './divisions.service';

/**
 * Genesys Cloud `/api/v2/authorization/divisions` (AuthorizationApi). Reading needs only a valid
 * token (as in Genesys) and shows the caller's own divisions; writing needs the permissions below.
 */
@ApiTags('Divisions')
@Controller('api/v2/authorization/divisions')
export class DivisionsController {
  constructor(private readonly divisions: DivisionsService) {}

  @Get()
  list(@Query() q: DivisionQuery, @CallerDivisions() caller: Divisions) {
    return this.divisions.list(pageOf(q), caller, q, q.objectCount === 'true');
  }

  @Get('home')
  async home(@CallerDivisions() caller: Divisions) {
    return this.divisions.toResource(await this.divisions.home(caller));
  }

  @Get(':divisionId')
  async get(@Param('divisionId') id: string, @Query() q: DivisionGetQuery, @CallerDivisions() caller: Divisions) {
    return this.divisions.toResource(await this.divisions.get(id, caller), q.objectCount === 'true');
  }

  @Post()
  @HttpCode(200)
  @RequirePermissions('authorization:division:add')
  create(@Body() dto: DivisionDto, @CallerDivisions() caller: Divisions) {
    return this.divisions.create(dto, caller);
  }

  @Put(':divisionId')
  @RequirePermissions('authorization:division:edit')
  update(@Param('divisionId') id: string, @Body() dto: DivisionDto, @CallerDivisions() caller: Divisions) {
    return this.divisions.update(id, dto, caller);
  }

  @Delete(':divisionId')
  @HttpCode(204)
  @RequirePermissions('authorization:division:delete')
  remove(@Param('divisionId') id: string, @CallerDivisions() caller: Divisions) {
    return this.divisions.remove(id, caller);
  }
}
