import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { EventClass } from './topics';

export type JsonSchema = Record<string, unknown>;

let cache: Record<string, JsonSchema> | undefined;

/**
 * The JSON Schema (draft 2020-12 compatible subset) of an event's payload, derived from the same
 * class-validator rules the services enforce, so the published schema cannot drift from the code.
 */
export function jsonSchemaOf(cls: EventClass): JsonSchema {
  cache ??= validationMetadatasToSchemas({
    refPointerPrefix: '#/$defs/',
    // @Type(() => X) on arrays of nested objects: the item type, which design:type (Array) does not say.
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, JsonSchema>;
  const own = ownOrInheritedSchema(cache, cls);
  if (!own) throw new Error(`no schema for ${cls.name}`);
  const defs: Record<string, JsonSchema> = {};
  const collect = (schema: unknown): void => {
    const text = JSON.stringify(schema);
    for (const m of text.matchAll(/"#\/\$defs\/(\w+)"/g)) {
      const name = m[1]!;
      if (!defs[name] && cache![name]) {
        // Nested objects refuse unknown properties too, as validatePayload does (forbidNonWhitelisted).
        defs[name] = { ...cache![name]!, additionalProperties: false };
        collect(cache![name]);
      }
    }
  };
  collect(own);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://herald.dev/schemas/${cls.type}.json`,
    title: cls.type,
    ...own,
    additionalProperties: false,
    ...(Object.keys(defs).length ? { $defs: defs } : {}),
  };
}

/**
 * class-validator-jsonschema names a schema after the class that declares the rules, so a class
 * that only inherits them (ContactClearedV1 extends ContactDispatchedV1) has none of its own:
 * use the nearest ancestor's, as class-validator itself does when validating.
 */
function ownOrInheritedSchema(schemas: Record<string, JsonSchema>, cls: EventClass): JsonSchema | undefined {
  for (let c: unknown = cls; typeof c === 'function' && c.name; c = Object.getPrototypeOf(c)) {
    if (schemas[c.name]) return schemas[c.name];
  }
  return undefined;
}
