import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { FastifyRequest } from 'fastify';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Audit } from './audit-action.js';
import { AuditContextGuard } from './audit-context.guard.js';
import { auditContext } from './audit-context.js';

class ThingsController {
  @Audit('thing.renew')
  renew(this: void): void {}

  plain(this: void): void {}
}

function call(method: string, handler: () => void, params: Record<string, string> = { id: 'T-1' }) {
  const url = `/api/v1/things/${params.id}`;
  const req = { method, url, raw: { url }, params } as unknown as FastifyRequest;
  const context = new ExecutionContextHost([req, {}], ThingsController, handler);
  context.setType('http');
  const allowed = new AuditContextGuard(new Reflector()).canActivate(context);
  return { allowed, audit: auditContext(req) };
}

describe(AuditContextGuard.name, () => {
  it("names a mutation after the route's @Audit and its id, and lets it through", () => {
    const { prototype } = ThingsController;
    assert.deepEqual(call('POST', prototype.renew), {
      allowed: true,
      audit: { action: 'thing.renew', target: 'T-1' },
    });
    assert.deepEqual(call('DELETE', prototype.plain), {
      allowed: true,
      audit: { action: undefined, target: 'T-1' },
    });
  });

  it('leaves reads alone', () => {
    assert.deepEqual(call('GET', ThingsController.prototype.renew), { allowed: true, audit: {} });
  });
});
