import { Injectable, NotFoundException, type ArgumentsHost, type NestMiddleware } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/**
 * The last handler of the HTTP stack: a path that no route, no docs page and no prefix router
 * claimed (`/v0/...`, `/api-docs`, `/debug`, OWASP API9) gets the same 404 problem+json as an
 * unknown route under `/api/v1`, instead of Express's HTML page, so old or probed paths neither
 * stand out nor reveal the framework. Mounted after `app.init()`, when every route is in place.
 */
@Injectable()
export class NotFoundMiddleware implements NestMiddleware {
  private readonly filter = new ProblemDetailsFilter();

  use(request: Request, response: Response): void {
    const http = { getRequest: () => request, getResponse: () => response, getNext: () => undefined };
    const host = { switchToHttp: () => http, getType: () => 'http' } as unknown as ArgumentsHost;
    this.filter.catch(new NotFoundException(`Cannot ${request.method} ${request.path}`), host);
  }
}
