import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { RequirePermissions } from '@herald/auth';
import { pageOf } from '@herald/persistence';
import { PhoneNumberQuery, SmsPhoneNumberProvisionDto } from './phone-number.dto';
import { PhoneNumbersService } from './phone-numbers.service';

/** Genesys Cloud `/api/v2/routing/sms/phonenumbers` (RoutingApi). */
@Controller('api/v2/routing/sms/phonenumbers')
export class PhoneNumbersController {
  constructor(private readonly numbers: PhoneNumbersService) {}

  @Post()
  @RequirePermissions('routing:smsPhoneNumber:add')
  @HttpCode(200)
  provision(@Body() dto: SmsPhoneNumberProvisionDto) {
    return this.numbers.provision(dto);
  }

  @Get()
  @RequirePermissions('routing:smsPhoneNumber:view')
  list(@Query() q: PhoneNumberQuery) {
    return this.numbers.list(pageOf(q), q);
  }

  @Get(':id')
  @RequirePermissions('routing:smsPhoneNumber:view')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.numbers.get(id);
  }

  @Delete(':id')
  @RequirePermissions('routing:smsPhoneNumber:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.numbers.remove(id);
  }
}
