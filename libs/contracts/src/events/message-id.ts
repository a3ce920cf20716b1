import { v5 as uuidv5 } from 'uuid';
import { Channel } from './common';

const HERALD_MESSAGE_NAMESPACE = 'a0c8e3f4-6a1b-4e5e-9d55-6f1f0c3b7d21';

/**
 * The deterministic id of a campaign message: the same run, contact and channel always give the
 * same id, so every stage can recognise a redelivered message.
 */
export function campaignMessageId(runId: string, contactId: string, channel: Channel): string {
  return uuidv5(`${runId}:${contactId}:${channel}`, HERALD_MESSAGE_NAMESPACE);
}
