import './instrument';
import { runService, serviceDocument } from '@herald/service';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { config } from './config';
import { DivisionsService } from './divisions/divisions.service';
import { PublicApiDocument } from './openapi/public-api.document';
import { EDGE_VERIFIER } from './routing/access.middleware';

// No body parser: the edge streams request bodies to the services untouched.
void runService({
  service: 'edge',
  module: AppModule.register(config),
  port: config.PORT,
  host: config.HOST,
  bodyParser: false,
  // The edge verifies tokens with its own key store, not through its own JWKS over HTTP.
  verifier: (app) => app.get(EDGE_VERIFIER),
  // ... and knows its own divisions.
  divisions: (app) => app.get(DivisionsService),
  configure: (app) => {
    app.get(PublicApiDocument).setOwn(() => serviceDocument(app, 'edge'));
    // Swagger UI at /docs, reading the merged document (an empty `spec` makes it fetch `url`).
    const placeholder = { openapi: '3.0.0', info: { title: 'Herald public API', version: '2' }, paths: {} };
    SwaggerModule.setup('docs', app, placeholder, { raw: false, swaggerOptions: { url: '/openapi.json', spec: {} } });
  },
});
