import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { tap } from 'rxjs';

/** Sets the `ETag` header from the `etag` of a single-rule answer, so controllers stay one line. */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    return next.handle().pipe(
      tap((body) => {
        if (typeof body === 'object' && body !== null && 'etag' in body) {
          const { etag } = body;
          if (typeof etag === 'string') {
            context.switchToHttp().getResponse<Response>().setHeader('ETag', etag);
          }
        }
      }),
    );
  }
}
