import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { redactSecrets } from '#src/auth/secret-redaction.js';
import { urlPath } from '#src/common/url-path.js';
import { DomainError, type DomainErrorKind } from '#src/common/domain-error.js';

/** RFC 9457 problem details. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  /** For validation errors: one message per invalid field. */
  errors?: string[];
  [extra: string]: unknown;
}

const TYPE_BASE = 'https://convoi.dev/problems/';

/** Exhaustive: a new kind fails to compile until it has a status here. */
export function statusOf(kind: DomainErrorKind): number {
  switch (kind) {
    case 'invalid':
      return HttpStatus.BAD_REQUEST;
    case 'unauthenticated':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'not-found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'precondition-failed':
      return HttpStatus.PRECONDITION_FAILED;
    case 'precondition-required':
      return HttpStatus.PRECONDITION_REQUIRED;
    case 'too-many-requests':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

/**
 * Turns every error into `application/problem+json`. Domain errors keep their code and detail;
 * Nest's HTTP exceptions (validation, 404 route) keep their message; anything else is a 500
 * whose body carries only an id that is also in the log, never the internal message.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply>();
    if (typeof response?.status !== 'function') return; // not an HTTP context
    this.reply(exception, http.getRequest<FastifyRequest>(), response);
  }

  /** Answers `request` with the problem `exception` describes (also for the router's refusals). */
  reply(exception: unknown, request: FastifyRequest, response: FastifyReply): void {
    const problem = this.toProblem(exception, request.id);
    // A key pasted into a URL or echoed in a message must not come back in the answer.
    problem.instance = redactSecrets(urlPath(request.raw.url ?? request.url));
    problem.detail = redactSecrets(problem.detail);
    if (response.sent || response.raw.headersSent) return;
    response.status(problem.status).type('application/problem+json').send(problem);
  }

  private toProblem(exception: unknown, requestId: string): ProblemDetails {
    if (exception instanceof DomainError) {
      const status = statusOf(exception.kind);
      return {
        type: TYPE_BASE + exception.code,
        title: titleOf(status),
        status,
        detail: exception.detail,
        code: exception.code,
        ...exception.extras,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const messages =
        typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      const list = Array.isArray(messages)
        ? messages.map(String)
        : [typeof messages === 'string' ? messages : exception.message];
      const problem: ProblemDetails = {
        type: exception instanceof BadRequestException ? `${TYPE_BASE}validation` : 'about:blank',
        title: titleOf(status),
        status,
        detail: list.join('; '),
      };
      if (exception instanceof BadRequestException) problem.errors = list;
      return problem;
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, requestId, err: exception }, 'Unhandled error');
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: `An unexpected error occurred; quote error id ${errorId} to an operator.`,
      errorId,
    };
  }
}

function titleOf(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name
    ? name
        .toLowerCase()
        .replace(/_/g, ' ')
        .replace(/^\w/, (c) => c.toUpperCase())
    : 'Error';
}
