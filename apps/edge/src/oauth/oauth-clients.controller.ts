import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Caller, CallerDivisions, Divisions, Principal, RequirePermissions } from '@herald/auth';
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
  create(@Body() dto: OAuthClientDto, @Caller() caller: Principal, @CallerDivisions() divisions: Divisions) {
    return this.clients.create(dto, caller, divisions);
  }

  @Get()
  @RequirePermissions('oauth:client:view')
  list(@CallerDivisions() divisions: Divisions, @Query('pageSize') pageSize?: string, @Query('pageNumber') pageNumber?: string) {
    return this.clients.list(pageOf({ pageSize, pageNumber }), divisions);
  }

  @Get(':clientId')
  @RequirePermissions('oauth:client:view')
  async get(@Param('clientId') id: string, @CallerDivisions() divisions: Divisions) {
    return this.clients.toResource(await this.clients.get(id, divisions));
  }

  @Put(':clientId')
  @RequirePermissions('oauth:client:edit')
  update(@Param('clientId') id: string, @Body() dto: OAuthClientDto, @Caller() caller: Principal, @CallerDivisions() divisions: Divisions) {
    return this.clients.update(id, dto, caller, divisions);
  }

  @Delete(':clientId')
  @HttpCode(204)
  @RequirePermissions('oauth:client:delete')
  remove(@Param('clientId') id: string, @CallerDivisions() divisions: Divisions) {
    return this.clients.remove(id, divisions);
  }

  /** A new secret, shown once; the previous one keeps working for SECRET_ROTATION_OVERLAP_SECONDS. */
  @Post(':clientId/secret')
  @HttpCode(200)
  @RequirePermissions('oauth:client:edit')
  rotateSecret(@Param('clientId') id: string, @Caller() caller: Principal, @CallerDivisions() divisions: Divisions) {
    return this.clients.rotateSecret(id, caller, divisions);
  }
}
