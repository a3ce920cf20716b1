import { Inject, Injectable, Logger } from '@nestjs/common';
import { OAUTH2_SCHEME } from '@herald/auth';
import { SERVICE_DOCUMENT_PATH } from '@herald/service';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ROUTES } from '../routing/proxy.middleware';
import { Route, routeFor } from '../routing/routes';

type Paths = OpenAPIObject['paths'];
type Schemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;

const FRESH_MS = 30_000;

/**
 * The OpenAPI document of the whole public API: the edge's own paths plus, from each service a
 * route forwards to, the paths of that service that the edge forwards there (its
 * `/openapi/service.json`). Built when asked, kept 30 s; a service that does not answer is
 * named in `x-herald-unavailable` and asked again next time.
 */
@Injectable()
export class PublicApiDocument {
  private readonly logger = new Logger(PublicApiDocument.name);
  private ownFactory?: () => OpenAPIObject;
  private own?: OpenAPIObject;
  private cached?: { at: number; document: OpenAPIObject };

  constructor(@Inject(ROUTES) private readonly routes: Route[]) {}

  /** How to build the edge's own document (given by runService's configure hook, once the app exists). */
  setOwn(factory: () => OpenAPIObject): void {
    this.ownFactory = factory;
  }

  async document(): Promise<OpenAPIObject> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.document;
    this.own ??= this.ownFactory?.();
    const targets = [...new Set(this.routes.map((r) => r.target))];
    const paths: Paths = { ...(this.own?.paths ?? {}) };
    const schemas: Schemas = { ...(this.own?.components?.schemas ?? {}) };
    const unavailable: string[] = [];
    await Promise.all(
      targets.map(async (target) => {
        try {
          const res = await fetch(`${target}${SERVICE_DOCUMENT_PATH}`, { signal: AbortSignal.timeout(5_000) });
          if (!res.ok) throw new Error(`answered ${res.status}`);
          const doc = (await res.json()) as OpenAPIObject;
          merge(doc, (path) => routeFor(this.routes, path)?.target === target, paths, schemas);
        } catch (e) {
          unavailable.push(target);
          this.logger.warn({ msg: 'service OpenAPI document unavailable', target, err: (e as Error).message });
        }
      }),
    );
    const document: OpenAPIObject = {
      openapi: '3.0.0',
      info: {
        title: 'Herald public API',
        version: '2',
        description: 'Genesys Cloud Platform API paths (SMS / email notifications) served by Herald. Get a token with OAuth 2.0 client credentials at /oauth/token.',
      },
      paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
      components: {
        schemas,
        securitySchemes: { [OAUTH2_SCHEME]: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } } },
      },
      ...(unavailable.length ? { 'x-herald-unavailable': unavailable } : {}),
    };
    if (!unavailable.length) this.cached = { at: Date.now(), document };
    return document;
  }
}

/**
 * Adds a service's public paths to the merged ones. A schema whose name another service already
 * uses for a different shape is renamed `<title>.<name>` (references rewritten).
 */
function merge(doc: OpenAPIObject, isPublic: (path: string) => boolean, paths: Paths, schemas: Schemas): void {
  const renames = new Map<string, string>();
  const prefix = (doc.info?.title ?? 'service').replace(/[^A-Za-z0-9_.-]/g, '_');
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    if (schemas[name] && JSON.stringify(schemas[name]) !== JSON.stringify(schema)) renames.set(name, `${prefix}.${name}`);
  }
  const rename = <T>(value: T): T => {
    if (!renames.size) return value;
    let text = JSON.stringify(value);
    for (const [from, to] of renames) text = text.split(`"#/components/schemas/${from}"`).join(`"#/components/schemas/${to}"`);
    return JSON.parse(text) as T;
  };
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) schemas[renames.get(name) ?? name] = rename(schema);
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    // OpenAPI templates (`{id}`) stand for one segment; any value routes the same way.
    if (isPublic(path.replace(/\{[^}]+\}/g, 'x'))) paths[path] = rename(item);
  }
}
