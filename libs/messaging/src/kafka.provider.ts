import { Logger, Provider } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through Nest's logger (and so as structured JSON), warnings and up. */
function nestLogCreator() {
  const logger = new Logger('kafkajs');
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const method = LEVEL_NAMES[level] ?? 'log';
    logger[method]({ msg: message, ...extra, timestamp: undefined, logger: undefined });
  };
}

export const KafkaProvider: Provider = {
  provide: Kafka,
  inject: [MESSAGING_OPTIONS],
  useFactory: (options: MessagingOptions) =>
    new Kafka({
      clientId: `herald-${options.service}`,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: nestLogCreator,
      // Generous retries: a broker restart must look like a pause, not an outage.
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 },
    }),
};
