import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { Request, Response } from 'express';
import { RulePathError } from '../rules-store/rule-paths';
import { JSON_BODY_LIMIT_BYTES } from './http-api';

/** Every HTTP error answer: the status, its reason phrase, a message a person can act on, and any details. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [detail: string]: unknown;
}

/**
 * The one place HTTP errors are shaped: `{statusCode, error, message}` plus the
 * details an exception carries (`problems` with file and JSON pointer, `etag`).
 * Client mistakes are 4xx, including a malformed or oversized body (Nest hands
 * the body parser's errors here); anything unexpected is a 500 whose message
 * says nothing of the internals, and whose stack goes to the log only.
 *
 * Registered globally, so it also sees the Kafka transport's errors: those are
 * passed to Nest's default RPC filter unchanged.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');
  private readonly rpc = new BaseRpcExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const body = errorBody(exception);
    if (isOutageAnswer(exception)) {
      // A dependency that is down (Kafka for the rule topic) is expected and already
      // explained in the answer: one line at warn, not a stack per request at error.
      const request = host.switchToHttp().getRequest<Request>();
      this.logger.warn(
        `${request.method} ${request.originalUrl} answered ${body.statusCode}: ${body.message}`,
      );
    } else if (body.statusCode >= 500) {
      this.logger.error(
        `request failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    const response = host.switchToHttp().getResponse<Response>();
    if (!response.headersSent) response.status(body.statusCode).json(body);
    return undefined;
  }
}

/**
 * A 503 or 504 the service chose to answer (an HttpException: Kafka unreachable, a
 * record not read back in time, the service stopping), as opposed to a failure.
 */
export function isOutageAnswer(exception: unknown): boolean {
  if (!(exception instanceof HttpException)) return false;
  const status = exception.getStatus();
  return status === 503 || status === 504;
}

/** Maps anything thrown while serving a request to the answer the client gets. */
export function errorBody(exception: unknown): ErrorBody {
  if (exception instanceof RulePathError) {
    return shaped(HttpStatus.BAD_REQUEST, exception.message);
  }
  if (exception instanceof HttpException && exception.getStatus() === 413) return tooLarge();
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return shaped(status, response);
    const {
      statusCode: _status,
      error: _error,
      message,
      ...details
    } = response as Record<string, unknown>;
    return { ...shaped(status, messageText(message) ?? exception.message), ...details };
  }
  const client = clientError(exception);
  if (client !== undefined)
    return client.status === 413 ? tooLarge() : shaped(client.status, client.message);
  return shaped(HttpStatus.INTERNAL_SERVER_ERROR, 'internal server error');
}

/**
 * Errors of the body parser that Nest passes on unmapped (`http-errors` objects:
 * too large, unsupported charset or encoding): a 4xx `status` and `expose` set,
 * which marks the message as meant for the client.
 */
function clientError(exception: unknown): { status: number; message: string } | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return { status, message: exception.message };
  }
  return undefined;
}

function tooLarge(): ErrorBody {
  return shaped(
    HttpStatus.PAYLOAD_TOO_LARGE,
    `request body larger than ${JSON_BODY_LIMIT_BYTES} bytes (${JSON_BODY_LIMIT_BYTES / 1024} KiB)`,
  );
}

function shaped(status: number, message: string): ErrorBody {
  return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
}

function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return undefined;
}
