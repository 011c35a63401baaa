import {
  createParamDecorator,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { rolesAllow } from '../config/api-keys';
import type { ApiRole } from '../config/api-keys';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { bearerToken } from './api-key';
import { ApiKeyring } from './api-keyring';
import type { ApiPrincipal } from './api-keyring';

/** What an operation needs: a key with `role`; `readsOpen` operations are open to all with API_READS_OPEN=true. */
export interface AccessRequirement {
  readonly role: ApiRole;
  readonly readsOpen: boolean;
}

const ACCESS = 'shellwatch:access';

/** Marks an operation with what the ApiKeyGuard requires of its caller. */
export const RequireAccess = (requirement: AccessRequirement): MethodDecorator =>
  SetMetadata(ACCESS, requirement);

/** Who an operation was opened to when no key was needed (API_READS_OPEN=true). */
export const ANONYMOUS: ApiPrincipal = Object.freeze({ name: 'anonymous', roles: [] });

type RequestWithPrincipal = Request & { shellwatchPrincipal?: ApiPrincipal };

/** The caller the guard resolved, for the audit trail (a handler parameter). */
export const Principal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiPrincipal =>
    context.switchToHttp().getRequest<RequestWithPrincipal>().shellwatchPrincipal ?? ANONYMOUS,
);

/**
 * Guards the rules API with named keys (`Authorization: Bearer <key>`): the key
 * is resolved to its name and roles (ApiKeyring), then checked against the
 * operation's requirement. 401 for a missing or unknown key, 403 for a key
 * without the role, and 403 when no key is configured at all: what needs a key
 * is then refused outright rather than open to all.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly keyring: ApiKeyring,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const requirement = this.reflector.get<AccessRequirement | undefined>(
      ACCESS,
      context.getHandler(),
    ) ?? { role: 'write', readsOpen: false };
    if (requirement.readsOpen && this.config.http.apiReadsOpen) return true;
    if (this.keyring.empty) {
      throw new ForbiddenException(
        requirement.readsOpen
          ? 'reading rules through the API needs a key: set API_KEY or API_KEYS_FILE, or API_READS_OPEN=true to open reads'
          : 'rule changes, validate and test through the API are disabled: set API_KEY or API_KEYS_FILE to enable them',
      );
    }
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithPrincipal>();
    const token = bearerToken(request.headers.authorization);
    const principal = token === undefined ? undefined : this.keyring.resolve(token);
    if (principal === undefined) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="shellwatch"');
      throw new UnauthorizedException(
        token === undefined
          ? 'missing API key: send Authorization: Bearer <key>'
          : 'invalid API key',
      );
    }
    if (!rolesAllow(principal.roles, requirement.role)) {
      throw new ForbiddenException(
        `the key "${principal.name}" has the role ${principal.roles.join(', ')}; this needs ${requirement.role}`,
      );
    }
    request.shellwatchPrincipal = principal;
    return true;
  }
}
