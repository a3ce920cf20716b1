import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { MessagingModule } from '@herald/messaging';
import { HealthModule, loggingModule } from '@herald/service';
import { EdgeConfig } from './config';
import { MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES, ProxyMiddleware, ROUTES } from './routing/proxy.middleware';
import { routesOf } from './routing/routes';

@Module({})
export class AppModule implements NestModule {
  static register(config: EdgeConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('edge', config.LOG_LEVEL),
        MessagingModule.forRoot({ brokers: config.KAFKA_BROKERS.split(','), service: 'edge', topicPrefix: config.KAFKA_TOPIC_PREFIX }),
        HealthModule,
      ],
      providers: [
        { provide: ROUTES, useValue: routesOf(config) },
        { provide: MAX_REQUEST_BYTES, useValue: config.MAX_REQUEST_BYTES },
        { provide: MAX_UPLOAD_BYTES, useValue: config.MAX_UPLOAD_BYTES },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ProxyMiddleware).forRoutes('api/*path');
  }
}
