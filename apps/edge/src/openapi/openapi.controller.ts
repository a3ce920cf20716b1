import { Controller, Get } from '@nestjs/common';
import { Public } from '@herald/auth';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicApiDocument } from './public-api.document';

/** The merged OpenAPI document of the public API; the Swagger UI at /docs reads it. */
@Public()
@ApiExcludeController()
@Controller()
export class OpenApiController {
  constructor(private readonly document: PublicApiDocument) {}

  @Get('openapi.json')
  get() {
    return this.document.document();
  }
}
