import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'convoi:public';

/**
 * Opens a route to callers without a key. Only liveness (`/health`) should carry it. Marked
 * `x-public` in the OpenAPI document so the document's security pass leaves it open.
 */
export const Public = (): ClassDecorator & MethodDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-public', true));
