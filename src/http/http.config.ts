import { ConfigSlice, from } from '#src/config/config-slice.js';
import { DeploymentSettings } from '#src/config/deployment.config.js';
import { EnvInt, EnvOptionalString } from '#src/config/env-transforms.js';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/**
 * The REST API's listener: address, port, TLS files and allowed browser origins.
 */
export class HttpSettings {
  /** Interface the HTTP API listens on. */
  @IsString()
  HTTP_HOST = '0.0.0.0';

  /** Port of the HTTP API (REST, OpenAPI, health, metrics). */
  @EnvInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 3000;

  /** PEM certificate (chain) for HTTPS on HTTP_PORT; with HTTP_TLS_KEY_FILE the API speaks only HTTPS. */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  HTTP_TLS_CERT_FILE?: string;

  /** PEM private key for HTTPS. */
  @EnvOptionalString()
  @IsOptional()
  @IsString()
  HTTP_TLS_KEY_FILE?: string;

  /**
   * Browser origins allowed to call the API (CORS), comma-separated, each `http(s)://host[:port]`
   * without a path; empty (default) sends no CORS header at all. Never `*`: origins are matched
   * exactly.
   */
  @IsString()
  @Matches(/^$|^https?:\/\/[^\s/,*]+(\s*,\s*https?:\/\/[^\s/,*]+)*$/, {
    message: 'CORS_ORIGINS must be empty or a comma-separated list of origins like https://app.example:8443',
  })
  CORS_ORIGINS = '';
}

/** What the REST shell reads: its TLS files, and whether the broker is embedded (health, readiness). */
export class HttpConfig extends ConfigSlice(
  from(HttpSettings, 'HTTP_TLS_CERT_FILE', 'HTTP_TLS_KEY_FILE'),
  from(DeploymentSettings, 'BROKER_EMBEDDED'),
) {}
