import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { apiKeyMatches, bearerToken } from './api-key';

/**
 * Guards every rule change, and the rule dry runs (validate, test) whose regex
 * analysis costs CPU: `Authorization: Bearer <API_KEY>`. Without an API_KEY
 * configured, they are refused outright (403) rather than open to all.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.apiKey;
    if (expected === null) {
      throw new ForbiddenException(
        'rule changes, validate and test through the API are disabled: set API_KEY to enable them',
      );
    }
    const http = context.switchToHttp();
    const token = bearerToken(http.getRequest<Request>().headers.authorization);
    if (token === undefined || !apiKeyMatches(expected, token)) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="shellwatch"');
      throw new UnauthorizedException(
        token === undefined
          ? 'missing API key: send Authorization: Bearer <API_KEY>'
          : 'invalid API key',
      );
    }
    return true;
  }
}
