import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/** `%00` in a URL: U+0000 percent-encoded, in a path segment or a query value. */
const ENCODED_NUL = /%00/i;

/**
 * Refuses a request whose URL holds U+0000 (`%00`) with a 400 problem, before any route reads
 * it. PostgreSQL's text cannot hold NUL and refuses the whole statement, so an id or a filter
 * carrying one reached the store as a 500 on some routes (audit filters, alert ids); no id or
 * filter of the API has one. The same for request bodies: request-body.parsers.ts.
 */
export function refuseNulInUrl(server: FastifyInstance): void {
  const filter = new ProblemDetailsFilter();
  server.addHook('onRequest', (request, reply, done) => {
    if (!ENCODED_NUL.test(request.url)) {
      done();
      return;
    }
    filter.reply(
      new BadRequestException('the URL holds U+0000 (NUL, %00), which no id or filter accepts'),
      request,
      reply,
    );
  });
}
