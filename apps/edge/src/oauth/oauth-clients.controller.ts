import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Caller, Principal, RequirePermissions } from '@herald/auth';
import { pageOf } from '@herald/persistence';
import { ApiTags } from '@nestjs/swagger';
import { OAuthClientDto } from './dtos/oauth-client.dto';
import { OAuthClientsService } from './oauth-clients.service';

/** Genesys Cloud `/api/v2/oauth/clients` (OAuthApi), CLIENT-CREDENTIALS clients only. */
@ApiTags('OAuth')
@Controller('api/v2/oauth/clients')
export class OAuthClientsController {
  constructor(private readonly clients: OAuthClientsService) {}

  @Post()
  @HttpCode(200)
  @RequirePermissions('oauth:client:add')
  create(@Body() dto: OAuthClientDto, @Caller() caller: Principal) {
    return this.clients.create(dto, caller);
  }

  @Get()
  @RequirePermissions('oauth:client:view')
  list(@Query('pageSize') pageSize?: string, @Query('pageNumber') pageNumber?: string) {
    return this.clients.list(pageOf({ pageSize, pageNumber }));
  }

  @Get(':clientId')
  @RequirePermissions('oauth:client:view')
  async get(@Param('clientId') id: string) {
    return this.clients.toResource(await this.clients.get(id));
  }

  @Put(':clientId')
  @RequirePermissions('oauth:client:edit')
  update(@Param('clientId') id: string, @Body() dto: OAuthClientDto, @Caller() caller: Principal) {
    return this.clients.update(id, dto, caller);
  }

  @Delete(':clientId')
  @HttpCode(204)
  @RequirePermissions('oauth:client:delete')
  remove(@Param('clientId') id: string) {
    return this.clients.remove(id);
  }

  /** A new secret, shown once; the previous one keeps working for SECRET_ROTATION_OVERLAP_SECONDS. */
  @Post(':clientId/secret')
  @HttpCode(200)
  @RequirePermissions('oauth:client:edit')
  rotateSecret(@Param('clientId') id: string, @Caller() caller: Principal) {
    return this.clients.rotateSecret(id, caller);
  }
}
