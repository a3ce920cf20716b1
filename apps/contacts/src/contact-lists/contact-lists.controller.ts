import { Body, Controller, Delete, Get, HttpCode, Param, ParseArrayPipe, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { CallerDivisions, Divisions, RequirePermissions } from '@herald/auth';
import { ImportsService } from '../imports/imports.service';
import { ContactListsService } from './contact-lists.service';
import { AddContactsQuery, ContactListDto, ListQuery, WritableDialerContactDto } from './dtos/contact-list.dto';
import { pageOf } from '@herald/persistence';

/** Genesys Cloud `/api/v2/outbound/contactlists` (OutboundApi). */
@Controller('api/v2/outbound/contactlists')
export class ContactListsController {
  constructor(
    private readonly lists: ContactListsService,
    private readonly imports: ImportsService,
  ) {}

  @Post()
  @RequirePermissions('outbound:contactList:add')
  @HttpCode(200)
  create(@Body() dto: ContactListDto, @CallerDivisions() divisions: Divisions) {
    return this.lists.create(dto, divisions);
  }

  @Get()
  @RequirePermissions('outbound:contactList:view')
  list(@Query() q: ListQuery, @CallerDivisions() divisions: Divisions) {
    return this.lists.list(pageOf(q), divisions, q);
  }

  @Get(':id')
  @RequirePermissions('outbound:contactList:view')
  async get(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    const list = await this.lists.get(id, divisions);
    return this.lists.toResource(list, await this.lists.size(id), await this.imports.latestStatus(id));
  }

  @Put(':id')
  @RequirePermissions('outbound:contactList:edit')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ContactListDto, @CallerDivisions() divisions: Divisions) {
    return this.lists.update(id, dto, divisions);
  }

  @Delete(':id')
  @RequirePermissions('outbound:contactList:delete')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CallerDivisions() divisions: Divisions) {
    return this.lists.remove(id, divisions);
  }

  @Post(':id/contacts')
  @RequirePermissions('outbound:contact:add')
  @HttpCode(200)
  addContacts(
    @Param('id', ParseUUIDPipe) id: string,
    @Body(new ParseArrayPipe({ items: WritableDialerContactDto, whitelist: true, forbidNonWhitelisted: true })) contacts: WritableDialerContactDto[],
    @Query() q: AddContactsQuery,
    @CallerDivisions() divisions: Divisions,
  ) {
    return this.lists.addContacts(id, contacts, { priority: q.priority === 'true', clearSystemData: q.clearSystemData === 'true', doNotQueue: q.doNotQueue === 'true' }, divisions);
  }

  /** Genesys `postOutboundContactlistContactsBulk`: body is an array of contact ids; answers the contacts found. */
  @Post(':id/contacts/bulk')
  @RequirePermissions('outbound:contact:view')
  @HttpCode(200)
  getContacts(@Param('id', ParseUUIDPipe) id: string, @Body(new ParseArrayPipe({ items: String })) contactIds: string[], @CallerDivisions() divisions: Divisions) {
    return this.lists.getContacts(id, contactIds, divisions);
  }

  @Put(':id/contacts/:contactId')
  @RequirePermissions('outbound:contact:edit')
  updateContact(@Param('id', ParseUUIDPipe) id: string, @Param('contactId') contactId: string, @Body() contact: WritableDialerContactDto, @CallerDivisions() divisions: Divisions) {
    return this.lists.updateContact(id, contactId, contact, divisions);
  }

  @Get(':id/contacts/:contactId')
  @RequirePermissions('outbound:contact:view')
  getContact(@Param('id', ParseUUIDPipe) id: string, @Param('contactId') contactId: string, @CallerDivisions() divisions: Divisions) {
    return this.lists.getContact(id, contactId, divisions);
  }

  @Delete(':id/contacts/:contactId')
  @RequirePermissions('outbound:contact:delete')
  @HttpCode(204)
  removeContact(@Param('id', ParseUUIDPipe) id: string, @Param('contactId') contactId: string, @CallerDivisions() divisions: Divisions) {
    return this.lists.removeContact(id, contactId, divisions);
  }
}
