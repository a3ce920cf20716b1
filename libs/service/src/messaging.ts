import { MessagingModule } from '@herald/messaging';
import { ServiceConfig } from './config';

/** The Kafka module of a service, from the variables every service reads (ServiceConfig). */
export function messagingModule(service: string, config: ServiceConfig) {
  return MessagingModule.forRoot({
    brokers: config.KAFKA_BROKERS.split(','),
    service,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    fetch: { minBytes: config.KAFKA_FETCH_MIN_BYTES, maxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS },
  });
}
