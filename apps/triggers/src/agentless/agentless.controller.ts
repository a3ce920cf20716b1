import { Caller, CallerDivisions, Divisions, Principal, RequirePermissions } from '@herald/auth';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { AgentlessRequestError } from './agentless-message';
import { AgentlessMessages } from './agentless-messages.service';
import { AgentlessResponse } from './agentless-response';
import { AgentlessMessageRequestDto } from './dtos/agentless-message-request.dto';

/** At most this long, printable ASCII (as the IETF Idempotency-Key draft and common practice have it). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Genesys `POST /api/v2/conversations/messages/agentless` (ConversationsApi.postConversationsMessagesAgentless). */
@Controller('api/v2/conversations/messages/agentless')
export class AgentlessController {
  constructor(private readonly messages: AgentlessMessages) {}

  /** 202: the message is durably accepted (in Kafka), not yet sent; its outcome is at `selfUri`. */
  @Post()
  @RequirePermissions('conversation:message:create')
  @HttpCode(202)
  send(
    @Body() dto: AgentlessMessageRequestDto,
    @Caller() caller: Principal,
    @CallerDivisions() divisions: Divisions,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<AgentlessResponse> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new AgentlessRequestError('invalid.idempotency.key', 'Idempotency-Key', 'must be 1 to 255 printable ASCII characters without spaces');
    }
    if (dto.externalContactId !== undefined) {
      throw new AgentlessRequestError('external.contact.unsupported', 'externalContactId', 'Herald has no external contacts; address the message with toAddress');
    }
    const { externalContactId: _e, useExistingActiveConversation: _u, ...fields } = dto;
    return this.messages.send(fields, { clientId: caller.clientId, divisions }, idempotencyKey);
  }
}
