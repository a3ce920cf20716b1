import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
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
  provision(@Body() dto: SmsPhoneNumberProvisionDto, @CallerDivisions() divisions: Divisions) {
    return this.numbers.provision(dto, divisions);
  }

  @Get()
  @RequirePermissions('routing:smsPhoneNumber:view')
  list(@Query() q: PhoneNumberQuery, @CallerDivisions() divisions: Divisions) {
    return this.numbers.list(pageOf(q), q, divisions);
  }

  @Get(':id')
  @RequirePermissions('routing:smsPhoneNumber:view')
  get(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.numbers.get(id, divisions);
  }

  @Delete(':id')
  @RequirePermissions('routing:smsPhoneNumber:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.numbers.remove(id, divisions);
  }
}
