import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { ResponseDto, ResponseListQuery } from './dtos/response.dto';
import { ResponsesService } from './responses.service';
import { pageOf } from '@herald/persistence';

/** Genesys Cloud `/api/v2/responsemanagement/responses` (ResponseManagementApi). */
@Controller('api/v2/responsemanagement/responses')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Post()
  @RequirePermissions('responses:response:add')
  @HttpCode(200)
  create(@Body() dto: ResponseDto, @CallerDivisions() divisions: Divisions) {
    return this.responses.create(dto, divisions);
  }

  @Get()
  @RequirePermissions('responses:response:view')
  list(@Query() q: ResponseListQuery, @CallerDivisions() divisions: Divisions) {
    return this.responses.list(pageOf(q), divisions, q);
  }

  @Get(':id')
  @RequirePermissions('responses:response:view')
  async get(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.responses.toResource(await this.responses.get(id, divisions));
  }

  @Put(':id')
  @RequirePermissions('responses:response:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ResponseDto, @CallerDivisions() divisions: Divisions) {
    return this.responses.update(id, dto, divisions);
  }

  @Delete(':id')
  @RequirePermissions('responses:response:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.responses.remove(id, divisions);
  }
}
