import type { OpenAPIObject } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * Makes the document say what the global guard does: every operation not marked `x-public`
 * needs a bearer key and answers 401/403/429, and one without `@Requires` needs `admin`
 * (deny by default). Routes of controllers that declare nothing are thereby documented too.
 */
export function secureOpenApi(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        (Record<string, unknown> & { responses: Record<string, unknown> }) | undefined;
      if (!op) continue;
      if (op['x-public'] === true) {
        op.security = [];
        continue;
      }
      op.security = [{ bearer: [] }];
      op['x-required-role'] ??= 'admin';
      op.responses['401'] ??= { description: 'No key, or an unknown or revoked key (problem+json).' };
      op.responses['403'] ??= {
        description: `The key's role is weaker than ${String(op['x-required-role'])}.`,
      };
      op.responses['429'] ??= { description: 'Rate limit of the key exceeded; see `Retry-After` (s).' };
    }
  }
  return document;
}
