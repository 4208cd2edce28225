import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '#src/common/domain-error.js';
import { ApiKeysService } from './api-keys.service.js';
import { roleAllows, type ApiPrincipal, type Role } from './api-key.types.js';
import { IS_PUBLIC } from './public.decorator.js';
import { REQUIRED_ROLE } from './roles.decorator.js';

/** The request as the guard leaves it: with the caller's principal. */
export interface AuthenticatedRequest extends FastifyRequest {
  principal?: ApiPrincipal;
}

/** Key format: `Bearer <token>`, one space, token of base64url characters (no query-string keys). */
const BEARER = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/** What a route asks of its caller, read from its decorators once. */
interface RouteAccess {
  isPublic: boolean;
  required: Role;
}

/**
 * Global guard (APP_GUARD), deny by default: every HTTP route needs a valid key unless marked
 * `@Public()`, and the key's role must reach the route's `@Requires` role (`admin` when the route
 * declares none). Authentication comes first and answers every bad key the same way (401), so a
 * caller without a valid key learns nothing about which routes or resources exist.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** By controller class, then handler: an inherited handler may serve classes with other roles. */
  private readonly access = new WeakMap<object, Map<object, RouteAccess>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // MQTT handlers: the broker authenticates devices
    const { isPublic, required } = this.accessOf(context);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    const principal = match ? await this.keys.authenticate(match[1]) : undefined;
    if (!principal) {
      throw new DomainError(
        'unauthenticated',
        'auth.unauthenticated',
        'a valid API key is required: `Authorization: Bearer <key>`',
      );
    }
    request.principal = principal;
    if (!roleAllows(principal.role, required)) {
      throw new DomainError('forbidden', 'auth.forbidden', `this action needs the ${required} role`);
    }
    return true;
  }

  /** Decorator metadata is fixed once the app is built: read per route, not per request. */
  private accessOf(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.access.get(controller);
    if (byHandler === undefined) this.access.set(controller, (byHandler = new Map<object, RouteAccess>()));
    let access = byHandler.get(handler);
    if (access === undefined) {
      const targets = [handler, controller];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true,
        required: this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets) ?? 'admin',
      };
      byHandler.set(handler, access);
    }
    return access;
  }
}
