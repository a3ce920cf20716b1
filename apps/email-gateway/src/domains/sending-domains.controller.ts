import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RequirePermissions } from '@herald/auth';
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
  create(@Body() dto: OutboundDomainCreateDto) {
    return this.domains.create(dto);
  }

  @Get()
  @RequirePermissions('routing:emailDomain:view')
  list(@Query() q: OutboundDomainQuery) {
    return this.domains.list(pageOf(q), q.filter);
  }

  @Get(':domainId')
  @RequirePermissions('routing:emailDomain:view')
  get(@Param('domainId') domainId: string) {
    return this.domains.get(domainId);
  }

  @Delete(':domainId')
  @RequirePermissions('routing:emailDomain:delete')
  @HttpCode(204)
  remove(@Param('domainId') domainId: string): Promise<void> {
    return this.domains.remove(domainId);
  }
}
