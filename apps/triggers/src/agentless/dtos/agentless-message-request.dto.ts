import { AgentlessMessageFields } from '@herald/contracts';
import { IsBoolean, IsOptional, IsString } from 'class-validator';

/**
 * Genesys `SendAgentlessOutboundMessageRequest`: the shared agentless fields (libs/contracts) plus
 * the two Genesys fields Herald knows but does not serve.
 */
export class AgentlessMessageRequestDto extends AgentlessMessageFields {
  /** Refused: Herald has no external contacts; address the message with toAddress. */
  @IsOptional() @IsString() externalContactId?: string;
  /** Accepted and ignored: Herald has no conversations to join. */
  @IsOptional() @IsBoolean() useExistingActiveConversation?: boolean;
}
