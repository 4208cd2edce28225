import { NotFoundException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/**
 * A node without the `api` role (CONVOI_ROLES) answers only health and metrics: every `/api/`
 * path gets the 404 problem+json of an unknown route, naming why, before any guard or handler
 * runs. The routes stay registered (the features' modules are shared by all roles), so this one
 * hook is where the role is enforced.
 */
export function refuseApiOutsideApiRole(server: FastifyInstance): void {
  const filter = new ProblemDetailsFilter();
  server.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/api/')) {
      done();
      return;
    }
    filter.reply(
      new NotFoundException('this node does not serve the API (CONVOI_ROLES has no api)'),
      request,
      reply,
    );
  });
}
