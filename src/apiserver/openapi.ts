// One server's OpenAPI publishing: the schema registry and the v2/v3 documents built from it.
import type { KindTable } from './crd/kind-table.js';
import { OpenApiSchemas, type OpenApiSchemaSource } from './openapi-schemas.js';
import { OpenApiV2 } from './openapi-v2.js';
import { OpenApiV3 } from './openapi-v3.js';

export interface OpenApiDocs {
  /** Add or remove kinds' schemas here (setKindSchema/removeKindSchema); both documents follow. */
  readonly schemas: OpenApiSchemas;
  readonly v2: OpenApiV2;
  readonly v3: OpenApiV3;
}

export function openApiDocs(source?: OpenApiSchemaSource, kinds?: KindTable): OpenApiDocs {
  const schemas = new OpenApiSchemas(source, kinds);
  return { schemas, v2: new OpenApiV2(schemas), v3: new OpenApiV3(schemas) };
}
