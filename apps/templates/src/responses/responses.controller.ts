import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { RequirePermissions } from '@herald/auth';
import { ResponseDto } from './dtos/response.dto';
import { ResponsesService } from './responses.service';
import { pageOf } from '@herald/persistence';

/** Genesys Cloud `/api/v2/responsemanagement/responses` (ResponseManagementApi). */
@Controller('api/v2/responsemanagement/responses')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Post()
  @RequirePermissions('responses:response:add')
  @HttpCode(200)
  create(@Body() dto: ResponseDto) {
    return this.responses.create(dto);
  }

  @Get()
  @RequirePermissions('responses:response:view')
  list(@Query('pageSize') pageSize?: string, @Query('pageNumber') pageNumber?: string, @Query('libraryId') libraryId?: string) {
    return this.responses.list(pageOf({ pageSize, pageNumber }), libraryId);
  }

  @Get(':id')
  @RequirePermissions('responses:response:view')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return this.responses.toResource(await this.responses.get(id));
  }

  @Put(':id')
  @RequirePermissions('responses:response:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ResponseDto) {
    return this.responses.update(id, dto);
  }

  @Delete(':id')
  @RequirePermissions('responses:response:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.responses.remove(id);
  }
}
