import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The `If-Match` request header, or undefined. A custom decorator rather than
 * `@Headers('if-match')`: Swagger reads that one as a required header, but the
 * header is optional (without it a change is unconditional); the controller
 * documents it with `@ApiHeader`.
 */
export const IfMatch = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<Request>().headers['if-match'];
    return typeof value === 'string' ? value : undefined;
  },
);
