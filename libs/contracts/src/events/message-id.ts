import { createHash } from 'node:crypto';
import { Channel } from './common';

const HERALD_MESSAGE_NAMESPACE = 'a0c8e3f4-6a1b-4e5e-9d55-6f1f0c3b7d21';

/** RFC 9562 version-5 (SHA-1, name-based) UUID. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The deterministic id of a campaign message: the same run, contact and channel always give the
 * same id, so every stage can recognise a redelivered message.
 */
export function campaignMessageId(runId: string, contactId: string, channel: Channel): string {
  return uuidV5(`${runId}:${contactId}:${channel}`, HERALD_MESSAGE_NAMESPACE);
}

/**
 * The id of a message asked for with an idempotency key: a retry with the same key names the same
 * message, so the gateways' send ledgers recognise it even if it is dispatched twice. A REST
 * caller's `Idempotency-Key` is its own (`clientId`: two clients' equal keys are two messages); a
 * trigger event's `idempotencyKey` belongs to the trigger topic, whose publishers share one space.
 */
export function idempotentMessageId(idempotencyKey: string, clientId?: string): string {
  const name = clientId === undefined ? `idempotency-key:${idempotencyKey}` : `client:${JSON.stringify(clientId)}:idempotency-key:${idempotencyKey}`;
  return uuidV5(name, HERALD_MESSAGE_NAMESPACE);
}

/** The id of the message a trigger event without an idempotency key asks for: one per CloudEvents `source` + `id`. */
export function triggerEventMessageId(source: string, eventId: string): string {
  return uuidV5(`trigger-event:${JSON.stringify([source, eventId])}`, HERALD_MESSAGE_NAMESPACE);
}
