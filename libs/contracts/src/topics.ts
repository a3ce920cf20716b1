import { CampaignAudienceV1, CampaignStatusChangedV1 } from './events/campaign.events';
import { ContactClearedV1, ContactDispatchedV1 } from './events/contact.events';
import { EmailRenderedV1, SmsRenderedV1 } from './events/message.events';
import { DeliveryResultV1 } from './events/result.events';
import { SuppressionRequestedV1 } from './events/suppression.events';
import { TriggerMessageV1 } from './events/trigger.events';

/**
 * The topic catalogue: every topic Herald uses, each with the event types it may carry.
 * Names are wire identifiers: a breaking change is a new `.v2` topic and type, never an edit.
 * Partitions, retention and cleanup policy of each topic live in deploy/topics.json.
 */
export const TOPICS = {
  'herald.campaign.lifecycle.v1': [CampaignStatusChangedV1],
  'herald.campaign.audience.v1': [CampaignAudienceV1],
  'herald.contact.dispatch.v1': [ContactDispatchedV1],
  'herald.contact.cleared.v1': [ContactClearedV1],
  'herald.message.rendered.sms.v1': [SmsRenderedV1],
  'herald.message.rendered.email.v1': [EmailRenderedV1],
  'herald.delivery.result.v1': [DeliveryResultV1],
  'herald.trigger.v1': [TriggerMessageV1],
  'herald.suppression.v1': [SuppressionRequestedV1],
} as const;

export type TopicName = keyof typeof TOPICS;
export type EventClass = (typeof TOPICS)[TopicName][number];
export type PayloadOf<T extends TopicName> = InstanceType<(typeof TOPICS)[T][number]>;

/** Friendly names for code: `Topic.ContactDispatch` rather than a string literal. */
export const Topic = {
  CampaignLifecycle: 'herald.campaign.lifecycle.v1',
  CampaignAudience: 'herald.campaign.audience.v1',
  ContactDispatch: 'herald.contact.dispatch.v1',
  ContactCleared: 'herald.contact.cleared.v1',
  SmsRendered: 'herald.message.rendered.sms.v1',
  EmailRendered: 'herald.message.rendered.email.v1',
  DeliveryResult: 'herald.delivery.result.v1',
  Trigger: 'herald.trigger.v1',
  Suppression: 'herald.suppression.v1',
} as const satisfies Record<string, TopicName>;

/**
 * Where an event that cannot be decoded, validated or handled goes, with the reason and its
 * origin (topic, partition, offset, consumer group) in headers. Not in TOPICS: it carries any bytes.
 */
export const DEAD_LETTER_TOPIC = 'herald.deadletter.v1';

/**
 * How events are written to a topic (CloudEvents Kafka binding). Public topics use *binary* mode,
 * so a consumer outside Herald reads the plain JSON payload with the attributes in `ce_*` headers;
 * Herald's internal hops use *structured* mode, one header per record, which halves the Kafka
 * client's CPU per record. The two hops a campaign's every contact takes (dispatch, cleared) are
 * *batched*: many events per record (the CloudEvents JSON batch format), each still an event with
 * its own id and key. Their keys are message ids, whose order between records nothing relies on:
 * a message is dispatched once, and a repeat is a duplicate that later stages drop by message id.
 * Consumers read every mode on every topic.
 */
export function contentModeOf(topic: TopicName): 'binary' | 'structured' | 'batched' {
  if (topic === Topic.DeliveryResult) return 'binary';
  return topic === Topic.ContactDispatch || topic === Topic.ContactCleared ? 'batched' : 'structured';
}

export function isTopicName(name: string): name is TopicName {
  return Object.prototype.hasOwnProperty.call(TOPICS, name);
}

/** The event class for a CloudEvents `type` on a topic, or undefined if the topic does not carry it. */
export function eventClassFor(topic: TopicName, type: string): EventClass | undefined {
  return (TOPICS[topic] as readonly EventClass[]).find((c) => c.type === type);
}

/** Default event type of a topic (the first it lists): what a producer publishes unless told otherwise. */
export function defaultTypeOf(topic: TopicName): string {
  return TOPICS[topic][0].type;
}

export function allEventClasses(): EventClass[] {
  const seen = new Set<EventClass>();
  for (const classes of Object.values(TOPICS)) for (const c of classes) seen.add(c);
  return [...seen];
}
