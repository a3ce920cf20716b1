import { divisionRef } from '@herald/auth';
import { Channel } from '@herald/contracts';

/**
 * Genesys `SendAgentlessOutboundMessageResponse`, as Herald fills it. Herald has no conversations:
 * `conversationId` is the message id. `selfUri` is where the message's outcome is reported;
 * `division` (Herald) is the sender's, which the message belongs to.
 */
export interface AgentlessResponse {
  id: string;
  conversationId: string;
  fromAddress: string;
  toAddress: string;
  messengerType: Channel;
  textBody?: string;
  timestamp: string;
  division: { id: string; selfUri: string };
  selfUri: string;
}

export function agentlessResponse(messageId: string, division: string, channel: Channel, fromAddress: string, toAddress: string, textBody: string | undefined): AgentlessResponse {
  return {
    id: messageId,
    conversationId: messageId,
    fromAddress,
    toAddress,
    messengerType: channel,
    ...(textBody !== undefined ? { textBody } : {}),
    timestamp: new Date().toISOString(),
    division: divisionRef(division),
    selfUri: `/api/v2/herald/messages/${messageId}`,
  };
}
