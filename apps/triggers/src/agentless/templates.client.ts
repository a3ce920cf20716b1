import { ServiceToken } from '@herald/auth';
import { Inject, Injectable } from '@nestjs/common';
import { getJson, positiveAnswerCache } from './dependency';

export const TEMPLATES_URL = Symbol('TEMPLATES_URL');

/** What triggers reads of a response-management response (the templates service's resource). */
export interface TemplateView {
  id: string;
  responseType: string;
  division: { id: string };
  substitutions: { id: string; defaultValue?: string }[];
  /** The `{{name}}` substitutions the texts use. */
  variables: string[];
}

/** Templates through the templates service's API (`GET /api/v2/responsemanagement/responses/{id}`), cached 5 s as the render stage does. */
@Injectable()
export class TemplatesClient {
  private readonly cache = positiveAnswerCache<TemplateView>(5_000, (id) =>
    getJson<TemplateView>(this.token, `${this.url}/api/v2/responsemanagement/responses/${encodeURIComponent(id)}`, 'template'),
  );

  constructor(
    @Inject(TEMPLATES_URL) private readonly url: string,
    private readonly token: ServiceToken,
  ) {}

  get(id: string): Promise<TemplateView | undefined> {
    return this.cache.fetch(id);
  }
}
