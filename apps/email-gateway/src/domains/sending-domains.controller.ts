import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { pageOf } from '@herald/persistence';
import { OutboundDomainCreateDto, OutboundDomainQuery } from './dtos/outbound-domain.dto';
import { SendingDomainsService } from './sending-domains.service';

/** Genesys Cloud `/api/v2/routing/email/outbound/domains` (RoutingApi); the domain id is its name. */
@Controller('api/v2/routing/email/outbound/domains')
export class SendingDomainsController {
  constructor(private readonly domains: SendingDomainsService) {}

  @Post()
  @RequirePermissions('routing:emailDomain:add')
  @HttpCode(200)
  create(@Body() dto: OutboundDomainCreateDto, @CallerDivisions() divisions: Divisions) {
    return this.domains.create(dto, divisions);
  }

  @Get()
  @RequirePermissions('routing:emailDomain:view')
  list(@Query() q: OutboundDomainQuery, @CallerDivisions() divisions: Divisions) {
    return this.domains.list(pageOf(q), divisions, q);
  }

  @Get(':domainId')
  @RequirePermissions('routing:emailDomain:view')
  get(@Param('domainId') domainId: string, @CallerDivisions() divisions: Divisions) {
    return this.domains.get(domainId, divisions);
  }

  @Delete(':domainId')
  @RequirePermissions('routing:emailDomain:delete')
  @HttpCode(204)
  remove(@Param('domainId') domainId: string, @CallerDivisions() divisions: Divisions): Promise<void> {
    return this.domains.remove(domainId, divisions);
  }
}
