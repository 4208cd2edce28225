import { ConfigSlice, from } from '#src/config/config-slice.js';
import { EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Secret } from '#src/config/settings.js';

/**
 * API authentication: the configured admin key and the per-key rate limit.
 */
export class AuthSettings {
  /**
   * The first admin API key (at least 32 characters, e.g. `cv_` + 43 random base64url). Stored as
   * a SHA-256 digest, never logged. Unset: a key is generated at first start and logged once.
   */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'CONVOI_ADMIN_KEY must be base64url characters (A-Z a-z 0-9 _ -)' })
  @Secret()
  CONVOI_ADMIN_KEY?: string;

  /** Requests one API key may make per window (REST rate limit; 429 with Retry-After beyond). */
  @EnvInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_LIMIT = 600;

  /** Length of the REST rate-limit window, ms. */
  @EnvInt()
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  API_RATE_WINDOW_MS = 60_000;
}

/** What auth reads. */
export class AuthConfig extends ConfigSlice(from(AuthSettings)) {}
