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
  // Deferred: handlers are wired at listen time, after the filter below is in place (otherwise
  // Nest's default RPC filter would turn every handler error into "Internal server error" and
  // the transport could no longer tell a transient failure from a poison event).
  const microservice = app.connectMicroservice({ strategy: app.get(KafkaBatchServer) }, { inheritAppConfig: false, deferInitialization: true });
  microservice.useGlobalFilters(new PassThroughRpcErrors());
}
