import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ResponseDto } from './dtos/response.dto';
import { ResponsesService } from './responses.service';
import { pageOf } from '@herald/persistence';

/** Genesys Cloud `/api/v2/responsemanagement/responses` (ResponseManagementApi). */
@Controller('api/v2/responsemanagement/responses')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Post()
  @HttpCode(200)
  create(@Body() dto: ResponseDto) {
    return this.responses.create(dto);
  }

  @Get()
  list(@Query('pageSize') pageSize?: string, @Query('pageNumber') pageNumber?: string, @Query('libraryId') libraryId?: string) {
    return this.responses.list(pageOf({ pageSize, pageNumber }), libraryId);
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return this.responses.toResource(await this.responses.get(id));
  }

  @Put(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ResponseDto) {
    return this.responses.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.responses.remove(id);
  }
}
