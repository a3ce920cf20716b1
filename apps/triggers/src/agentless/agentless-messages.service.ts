import { Inject, Injectable, Logger } from '@nestjs/common';
import { Divisions } from '@herald/auth';
import {
  AgentlessMessageFields,
  Channel,
  ContactDispatchedV1,
  idempotentMessageId,
  Topic,
  triggerEventMessageId,
  TriggerMessageV1,
} from '@herald/contracts';
import { BatchOutcome, ConsumedEvent, EventPublisher, OutgoingEvent, TransientError } from '@herald/messaging';
import { DomainError } from '@herald/service';
import { randomUUID } from 'node:crypto';
import { AcceptedRequest, AcceptedRequests } from './accepted-requests.repository';
import { agentlessResponse, AgentlessResponse } from './agentless-response';
import { AgentlessRequestError, CheckedMessage, checkRequest, requestHash } from './agentless-message';
import { DependencyUnavailableError } from './dependency';
import { SENDER_REGISTRY, SenderRegistry } from './sender-registry';
import { TemplatesClient } from './templates.client';

const TEMPLATE_TYPE: Record<Channel, string> = { sms: 'CampaignSmsTemplate', email: 'CampaignEmailTemplate' };

/** Where an accepted request is remembered: a REST caller's keys are its own; the trigger topic's are shared by its publishers. */
function idempotencyDedupKey(key: string, clientId?: string): string {
  return clientId === undefined ? `idempotency-key:${key}` : `client:${JSON.stringify(clientId)}:idempotency-key:${key}`;
}

interface Prepared {
  event: ContactDispatchedV1;
  response: AgentlessResponse;
}

/**
 * The agentless use case, shared by the REST API and the trigger topic: check a request as
 * Genesys does, turn it into a dispatched message (the campaign path's first event, without a
 * campaign), and remember it under its idempotency key or trigger event id so that asking again
 * sends nothing more.
 */
@Injectable()
export class AgentlessMessages {
  private readonly logger = new Logger(AgentlessMessages.name);

  constructor(
    private readonly templates: TemplatesClient,
    @Inject(SENDER_REGISTRY) private readonly senders: SenderRegistry,
    private readonly publisher: EventPublisher,
    private readonly accepted: AcceptedRequests,
  ) {}

  /**
   * Every check, the sender last (it asks a gateway); the dispatched event and the API's answer.
   * The message belongs to its sender's division. A REST caller (`divisions`) may use only a
   * template and a sender of its own divisions: another division's are as unknown as missing
   * ones. A trigger event has no caller: its publisher is trusted with every division.
   * Throws AgentlessRequestError (the request is wrong) or DependencyUnavailableError.
   */
  async prepare(request: AgentlessMessageFields, messageId: string, divisions?: Divisions): Promise<Prepared> {
    const message = checkRequest(request);
    if (message.template) await this.checkTemplate(message.channel, message.template, divisions);
    const division = await this.senders.divisionOf(message.channel, message.from);
    if (division === undefined || (divisions && !divisions.has(division))) {
      const what = message.channel === 'sms' ? 'a provisioned SMS number' : 'an address on a provisioned outbound email domain';
      throw new AgentlessRequestError('sender.not.provisioned', 'fromAddress', `${message.from} is not ${what}`);
    }
    return {
      event: this.dispatchedEvent(message, messageId, division),
      response: agentlessResponse(messageId, division, message.channel, message.from, message.to, message.textBody),
    };
  }

  private async checkTemplate(channel: Channel, template: NonNullable<CheckedMessage['template']>, divisions?: Divisions): Promise<void> {
    const field = 'messagingTemplate.responseId';
    const found = await this.templates.get(template.responseId);
    const view = found && (!divisions || divisions.has(found.division.id)) ? found : undefined;
    if (!view) throw new AgentlessRequestError('template.not.found', field, `template ${template.responseId} does not exist`);
    if (view.responseType !== TEMPLATE_TYPE[channel]) {
      throw new AgentlessRequestError('template.wrong.type', field, `template ${template.responseId} is a ${view.responseType}; ${channel} needs a ${TEMPLATE_TYPE[channel]}`);
    }
    const known = new Set([...view.variables, ...view.substitutions.map((s) => s.id)]);
    for (const [i, id] of [...template.parameters.keys()].entries()) {
      if (!known.has(id)) throw new AgentlessRequestError('template.parameter.unknown', `messagingTemplate.parameters[${i}].id`, `template ${template.responseId} has no substitution "${id}"`);
    }
    const defaults = new Set(view.substitutions.filter((s) => s.defaultValue !== undefined && s.defaultValue !== '').map((s) => s.id));
    const missing = view.variables.filter((v) => !template.parameters.get(v) && !defaults.has(v));
    if (missing.length > 0) {
      throw new AgentlessRequestError('template.parameter.missing', 'messagingTemplate.parameters', `no value and no default for: ${missing.join(', ')}`);
    }
  }

  private dispatchedEvent(m: CheckedMessage, messageId: string, division: string): ContactDispatchedV1 {
    return {
      messageId,
      division,
      channel: m.channel,
      address: m.to,
      senderAddress: m.from,
      ...(m.template ? { templateId: m.template.responseId } : { body: m.textBody }),
      contactData: Object.fromEntries(m.template?.parameters ?? []),
      dncListIds: [],
    };
  }

  private async dispatch(events: OutgoingEvent<ContactDispatchedV1>[]): Promise<void> {
    await this.publisher.publish(Topic.ContactDispatch, events);
  }

  /** For the REST API: Kafka's refusal is a 503 (retry, with the same Idempotency-Key), never a 202. */
  private async dispatchOrUnavailable(event: ContactDispatchedV1): Promise<void> {
    try {
      await this.publisher.publishOne(Topic.ContactDispatch, { key: event.messageId, subject: event.messageId, data: event });
    } catch (e) {
      this.logger.warn({ msg: 'dispatch failed; the request is refused', messageId: event.messageId, err: (e as Error).message });
      throw new DomainError('dependency.unavailable', 'the message could not be handed to Kafka; nothing was sent, retry the request', 503);
    }
  }

  /**
   * REST: answers once the dispatched event is in Kafka (acks from all in-sync replicas). With an
   * idempotency key (the calling client's own: `clientId` scopes it), a retry gets the first answer
   * and sends nothing; the key with another request is refused.
   */
  async send(request: AgentlessMessageFields, caller: { clientId: string; divisions: Divisions }, idempotencyKey?: string): Promise<AgentlessResponse> {
    const { clientId, divisions } = caller;
    if (idempotencyKey === undefined) {
      const { event, response } = await this.prepare(request, randomUUID(), divisions);
      await this.dispatchOrUnavailable(event);
      return response;
    }
    const dedupKey = idempotencyDedupKey(idempotencyKey, clientId);
    const hash = requestHash(request);
    const earlier = (await this.accepted.findMany([dedupKey])).get(dedupKey);
    if (earlier) return this.replay(earlier, hash, idempotencyKey, divisions);
    const { event, response } = await this.prepare(request, idempotentMessageId(idempotencyKey, clientId), divisions);
    await this.dispatchOrUnavailable(event);
    await this.accepted.recordMany([{ dedupKey, requestHash: hash, messageId: event.messageId, response }]);
    // Two concurrent requests with one key both dispatch the same message id (the gateway's send
    // ledger sends it once); both answer with whichever was recorded first.
    return this.replay((await this.accepted.findMany([dedupKey])).get(dedupKey)!, hash, idempotencyKey, divisions);
  }

  /** The first answer, to the same request from a caller that may see its message; else the key is taken. */
  private replay(earlier: AcceptedRequest, hash: string, idempotencyKey: string, divisions: Divisions): AgentlessResponse {
    if (earlier.requestHash !== hash || (earlier.response.division && !divisions.has(earlier.response.division.id))) {
      throw new DomainError(
        'idempotency.key.reused',
        `Idempotency-Key "${idempotencyKey}" was already used for a different request (message ${earlier.messageId}); use a new key for a new message`,
        422,
        [{ errorCode: 'idempotency.key.reused', fieldName: 'Idempotency-Key', entityId: earlier.messageId }],
      );
    }
    return earlier.response;
  }

  /**
   * The trigger topic: each event is checked like a REST request. Duplicates (the same event id
   * from the same source, or the same idempotency key with the same content) are skipped; events
   * that cannot be sent are handed back to the transport, which dead-letters them with the reason.
   * A templates or registry outage retries the batch (TransientError).
   */
  async trigger(events: ConsumedEvent<TriggerMessageV1>[]): Promise<BatchOutcome<TriggerMessageV1>> {
    const items = events.map((event) => {
      const { idempotencyKey } = event.data;
      const { source, id } = event.envelope;
      return {
        event,
        dedupKey: idempotencyKey !== undefined ? idempotencyDedupKey(idempotencyKey) : `event:${JSON.stringify([source, id])}`,
        messageId: idempotencyKey !== undefined ? idempotentMessageId(idempotencyKey) : triggerEventMessageId(source, id),
        hash: requestHash(event.data),
      };
    });
    const earlier = await this.accepted.findMany([...new Set(items.map((i) => i.dedupKey))]);
    const rejected: BatchOutcome<TriggerMessageV1>['rejected'] = [];
    const inBatch = new Map<string, string>();
    const fresh: typeof items = [];
    for (const item of items) {
      const seenHash = earlier.get(item.dedupKey)?.requestHash ?? inBatch.get(item.dedupKey);
      if (seenHash === undefined) {
        inBatch.set(item.dedupKey, item.hash);
        fresh.push(item);
      } else if (seenHash !== item.hash) {
        rejected.push({ event: item.event, reason: `idempotency.key.reused: idempotencyKey "${item.event.data.idempotencyKey}" was already used for a different message` });
      } else {
        this.logger.log({ msg: 'duplicate trigger ignored', eventId: item.event.envelope.id, source: item.event.envelope.source, messageId: item.messageId });
      }
    }
    const outcomes = await Promise.all(
      fresh.map(async (item) => {
        try {
          return { item, prepared: await this.prepare(item.event.data, item.messageId) };
        } catch (e) {
          if (e instanceof AgentlessRequestError) return { item, reason: `${e.code}: ${e.message}` };
          if (e instanceof DependencyUnavailableError) throw new TransientError(e.message, e);
          throw e;
        }
      }),
    );
    const accepted: { item: (typeof items)[number]; prepared: Prepared }[] = [];
    for (const o of outcomes) {
      if (o.prepared) accepted.push({ item: o.item, prepared: o.prepared });
      else rejected.push({ event: o.item.event, reason: o.reason! });
    }
    await this.dispatch(accepted.map(({ item, prepared }) => ({ key: item.messageId, subject: item.messageId, causedBy: item.event.envelope, data: prepared.event })));
    // After Kafka acknowledged: a crash in between redelivers the events, which dispatch the same
    // message ids again (recognised by the send ledgers), never a different message.
    await this.accepted.recordMany(accepted.map(({ item, prepared }) => ({ dedupKey: item.dedupKey, requestHash: item.hash, messageId: item.messageId, response: prepared.response })));
    return { rejected };
  }
}
