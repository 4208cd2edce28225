import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'convoi:public';

/** Opens a route to callers without a key. Only liveness (`/health`) should carry it. */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
