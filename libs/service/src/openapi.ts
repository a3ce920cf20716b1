import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OAUTH2_SCHEME } from '@herald/auth';

/** Where each service serves the OpenAPI document of its own HTTP API (the edge merges them). */
export const SERVICE_DOCUMENT_PATH = '/openapi/service.json';

/** The OpenAPI document of one service's routes, with Herald's OAuth 2.0 client-credentials scheme. */
export function serviceDocument(app: INestApplication, service: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(`herald-${service}`)
    .setDescription(`The HTTP API of Herald's ${service} service`)
    .addOAuth2({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } }, OAUTH2_SCHEME);
  return SwaggerModule.createDocument(app, builder.build());
}
