import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-nesting.util.js';
import { mayHoldNul, nulCharacterPath } from './nul-characters.js';

/** A media type with the `+json` structured syntax suffix, parameters allowed. */
export const JSON_SUFFIX_TYPE = /^application\/[\w.!#$&^-]+\+json\s*(;|$)/i;

/** The media types read as JSON: `application/json` and any `+json` type (RFC 6839). */
export const JSON_TYPES = ['application/json', JSON_SUFFIX_TYPE];

/**
 * The JSON body parser: Fastify's own (`__proto__` and `constructor.prototype` keys refused), after
 * a nesting check. An empty body is `{}`, not a 400: clients send `Content-Type: application/json`
 * on DELETEs and action POSTs (acknowledge, unbind) that carry nothing. A string holding U+0000 is
 * a 400 naming where (nul-characters.ts).
 */
export function jsonBodyParser(server: FastifyInstance): FastifyBodyParser<Buffer> {
  const strictJson = server.getDefaultJsonParser('error', 'error');
  return (req, body, done) => {
    if (body.length === 0) done(null, {});
    else if (nestsDeeperThan(body, MAX_JSON_DEPTH))
      done(new BadRequestException(`body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`));
    else {
      const text = body.toString();
      void strictJson(req, text, (err, parsed) => {
        const at = err === null && mayHoldNul(text) ? nulCharacterPath(parsed) : undefined;
        if (at !== undefined)
          done(new BadRequestException(`${at} holds U+0000 (NUL), which no text accepts`));
        else done(err, parsed);
      });
    }
  };
}

/**
 * Every other media type, and a body sent without one: 415. Fastify reads `text/plain` and Nest
 * `application/x-www-form-urlencoded` by default, so a form post would otherwise reach a handler
 * whose DTO then validates string fields taken from it. A request without a body is not checked
 * (a DELETE sent with some `Content-Type` and nothing else).
 */
export const refuseNonJsonBody: FastifyBodyParser<Buffer> = (req, body, done) => {
  if (body.length === 0) {
    done(null, undefined);
    return;
  }
  const type = req.headers['content-type'];
  done(
    new UnsupportedMediaTypeException(
      `${type === undefined ? 'a body without Content-Type' : `Content-Type ${type}`} is not accepted: send JSON (application/json)`,
    ),
  );
};
