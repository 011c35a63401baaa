import { RequestMethod } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { ErrorBody } from './http-exception.filter';

/** One route of a controller: an Express path (`/rules/:id`) and its method (`GET`). */
export interface HttpRoute {
  path: string;
  method: string;
}

/** A path of the API and every method some route answers on it. */
interface PathMethods {
  pattern: RegExp;
  /** No parameter: `/rules/status` names a resource, it is not an `/rules/:id`. */
  fixed: boolean;
  methods: Set<string>;
}

/**
 * Every HTTP route of the app's controllers, read from Nest's route metadata
 * (what `@Controller` and `@Get`/`@Post`/... record), so the table cannot drift
 * from the routes. Handlers without a path (Kafka `@EventPattern`s) are skipped.
 */
export function controllerRoutes(app: INestApplication): HttpRoute[] {
  const scanner = new MetadataScanner();
  const routes: HttpRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller: unknown = wrapper.metatype;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      const prefixes = paths(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const handlerPaths: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (handlerPaths === undefined || typeof method !== 'number') continue;
        const verb = RequestMethod[method];
        if (verb === undefined) continue;
        for (const prefix of prefixes) {
          for (const path of paths(handlerPaths)) {
            routes.push({ path: joinPath(prefix, path), method: verb });
          }
        }
      }
    }
  }
  return routes;
}

function paths(metadata: unknown): string[] {
  if (typeof metadata === 'string') return [metadata];
  if (Array.isArray(metadata)) return metadata.filter((p): p is string => typeof p === 'string');
  return [''];
}

function joinPath(...parts: string[]): string {
  const segments = parts.flatMap((part) => part.split('/')).filter((s) => s !== '');
  return `/${segments.join('/')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/rules/:id` → a pattern for request paths (one segment per parameter, optional final slash). */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment)))
    .join('/');
  return new RegExp(`^${source === '' ? '' : source}/?$`, 'i');
}

/** Methods per path; GET implies HEAD (Express answers HEAD with the GET route). */
export function methodTable(routes: readonly HttpRoute[]): PathMethods[] {
  const byPath = new Map<string, PathMethods>();
  for (const { path, method } of routes) {
    const entry = byPath.get(path) ?? {
      pattern: pathPattern(path),
      fixed: !path.includes(':'),
      methods: new Set<string>(),
    };
    if (method === 'ALL') continue;
    entry.methods.add(method);
    if (method === 'GET') entry.methods.add('HEAD');
    byPath.set(path, entry);
  }
  return [...byPath.values()];
}

/**
 * The methods of the resource at `path`, or none for an unknown path. A fixed
 * path (`/rules/status`) is its own resource: the methods of a parameter route
 * that also matches it (`PUT /rules/:id`) are not its methods, as the OpenAPI
 * document says (`status` is no rule id).
 */
export function allowedMethods(table: readonly PathMethods[], path: string): string[] {
  const matching = table.filter((entry) => entry.pattern.test(path));
  const fixed = matching.filter((entry) => entry.fixed);
  const allowed = new Set<string>();
  for (const entry of fixed.length > 0 ? fixed : matching) {
    entry.methods.forEach((method) => allowed.add(method));
  }
  if (allowed.size > 0) allowed.add('OPTIONS');
  return [...allowed].sort();
}

/**
 * RFC 9110 for the API's own paths: a method no route has on a known path is
 * answered 405 with `Allow` (instead of Express's 404), and OPTIONS is answered
 * 204 with `Allow`. Unknown paths go on to the usual 404.
 */
export function methodNotAllowed(
  table: readonly PathMethods[],
): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    const allowed = allowedMethods(table, request.path);
    if (
      allowed.length === 0 ||
      (allowed.includes(request.method) && request.method !== 'OPTIONS')
    ) {
      next();
      return;
    }
    response.setHeader('Allow', allowed.join(', '));
    if (request.method === 'OPTIONS') {
      response.status(204).end();
      return;
    }
    const body: ErrorBody = {
      statusCode: 405,
      error: 'Method Not Allowed',
      message: `${request.method} is not allowed on ${request.path}; allowed: ${allowed.join(', ')}`,
    };
    response.status(405).json(body);
  };
}
