/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Field names that carry a secret wherever they appear in a logged object: an `Authorization`
 * header, a password, a token, an API key, a webhook or device secret. convoi's own log calls
 * never pass these; redaction is the net under a future call (or a library's object) that would.
 */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'apiKey',
  'adminKey',
  'key',
  'x-api-key',
];

/**
 * pino redaction paths for every {@link SECRET_FIELDS} name at the top of a log object and up to
 * three objects deep (`req.headers.authorization`, `err.config.headers.authorization`): a path
 * names its depth, wildcards stand for one level each.
 */
export const REDACTED_PATHS: string[] = SECRET_FIELDS.flatMap((name) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`;
  return ['', '*', '*.*', '*.*.*'].map((prefix) => (prefix === '' ? key.replace(/^\./, '') : prefix + key));
});
