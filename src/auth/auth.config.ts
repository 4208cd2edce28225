import { ConfigSlice } from '#src/config/config-slice.js';

/** The settings auth reads: the configured admin key and the per-key rate limit. */
export class AuthConfig extends ConfigSlice('CONVOI_ADMIN_KEY', 'API_RATE_LIMIT', 'API_RATE_WINDOW_MS') {}
