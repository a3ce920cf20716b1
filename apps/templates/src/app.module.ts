import { DynamicModule, Module } from '@nestjs/common';
import { PersistenceModule } from '@herald/persistence';
import { HealthModule, loggingModule, messagingModule } from '@herald/service';
import { TemplatesConfig } from './config';
import { Initial1764200000000 } from './migrations/1764200000000-initial';
import { ClearedConsumer } from './rendering/cleared.consumer';
import { RendererService } from './rendering/renderer.service';
import { RenderPreviewController } from './rendering/render-preview.controller';
import { ResponseEntity } from './responses/response.entity';
import { ResponsesController } from './responses/responses.controller';
import { ResponsesService } from './responses/responses.service';

@Module({})
export class AppModule {
  static register(config: TemplatesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule('templates', config.LOG_LEVEL),
        PersistenceModule.forRoot({ databaseUrl: config.DATABASE_URL, schema: 'templates', entities: [ResponseEntity], migrations: [Initial1764200000000] }),
        messagingModule('templates', config),
        HealthModule,
      ],
      controllers: [ResponsesController, ClearedConsumer, RenderPreviewController],
      providers: [ResponsesService, RendererService],
    };
  }
}
