import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { KafkaBatchServer, PassThroughRpcErrors } from './kafka-batch.server';
import { EventPublisher } from './event-publisher';
import { KafkaProvider } from './kafka.provider';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, KafkaProvider, EventPublisher, KafkaBatchServer],
      exports: [MESSAGING_OPTIONS, EventPublisher, KafkaBatchServer],
    };
  }
}

/** Attaches the Kafka batch transport to an HTTP app; `app.startAllMicroservices()` starts it. */
export function connectKafka(app: INestApplication): void {
  const microservice = app.connectMicroservice({ strategy: app.get(KafkaBatchServer) }, { inheritAppConfig: false });
  microservice.useGlobalFilters(new PassThroughRpcErrors());
}
