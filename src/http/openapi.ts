import type { SwaggerOptions } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/*
 * The OpenAPI document the app serves at /openapi.json (and /docs), generated from the routes'
 * zod schemas. The committed openapi.json is this document; CI fails when they differ.
 */

type Json = Record<string, unknown>;

/** Every `$ref` that `value` holds, however deep. */
function refsIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') into.add(child.replace('#/components/schemas/', ''));
      else refsIn(child, into);
    }
  }
  return into;
}

/**
 * Keeps only the component schemas the operations use (directly or through other components):
 * the generator lists an input and an output variant of every named schema, and a client
 * generating types from the document should not get the ones no operation has.
 */
function withUsedSchemasOnly(document: Json): Json {
  const components = (document.components ?? {}) as Json;
  const schemas = (components.schemas ?? {}) as Record<string, unknown>;
  const used = refsIn(document.paths, new Set());
  for (let grown = true; grown;) {
    const before = used.size;
    for (const name of [...used]) refsIn(schemas[name], used);
    grown = used.size > before;
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...components, schemas: kept } };
}

export const openApiOptions: SwaggerOptions = {
  openapi: {
    // 3.1: its schemas are JSON Schema 2020-12, so `null` is a type like any other (3.0's
    // `nullable` cannot say "one of these strings, or null").
    openapi: '3.1.0',
    info: {
      title: 'Satsa API',
      version: '0.1.0',
      description: 'Case engine for stimulus-funding programmes. Errors are application/problem+json with a stable `code`.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Personal API token (npm run cli -- token:create)' },
        session: { type: 'apiKey', in: 'cookie', name: 'satsa_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
  },
  transform: (route) => {
    const out = jsonSchemaTransform(route);
    // A 204 has no body: `type: null` tells the generator to document it without content.
    const response = (out.schema as { response?: Record<string, Json> } | undefined)?.response;
    if (response?.['204']) response['204'] = { type: 'null', description: response['204'].description };
    return out;
  },
  transformObject: (document) =>
    withUsedSchemasOnly(jsonSchemaTransformObject(document) as Json) as ReturnType<typeof jsonSchemaTransformObject>,
};
