import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { Role } from './api-key.types.js';

export const REQUIRED_ROLE = 'convoi:required-role';

/**
 * The weakest role that may call the route (or every route of a controller; a method's own
 * `@Requires` wins). Routes without it need `admin`: the guard denies by default. Also declares
 * the bearer security, the role (`x-required-role`) and the auth errors in the OpenAPI document.
 */
export function Requires(role: Role): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    ApiBearerAuth('bearer'),
    ApiExtension('x-required-role', role),
    ApiResponse({ status: 401, description: 'No key, or an unknown or revoked key (problem+json).' }),
    ApiResponse({ status: 403, description: `The key's role is weaker than \`${role}\` (problem+json).` }),
    ApiResponse({ status: 429, description: 'Rate limit of the key exceeded; see `Retry-After` (s).' }),
  );
}
