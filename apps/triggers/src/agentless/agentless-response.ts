import { Channel } from '@herald/contracts';

/**
 * Genesys `SendAgentlessOutboundMessageResponse`, as Herald fills it. Herald has no conversations:
 * `conversationId` is the message id. `selfUri` is where the message's outcome is reported.
 */
export interface AgentlessResponse {
  id: string;
  conversationId: string;
  fromAddress: string;
  toAddress: string;
  messengerType: Channel;
  textBody?: string;
  timestamp: string;
  selfUri: string;
}

export function agentlessResponse(messageId: string, channel: Channel, fromAddress: string, toAddress: string, textBody: string | undefined): AgentlessResponse {
  return {
    id: messageId,
    conversationId: messageId,
    fromAddress,
    toAddress,
    messengerType: channel,
    ...(textBody !== undefined ? { textBody } : {}),
    timestamp: new Date().toISOString(),
    selfUri: `/api/v2/herald/messages/${messageId}`,
  };
}
