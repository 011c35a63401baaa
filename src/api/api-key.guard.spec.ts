import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config';
import { ApiKeyGuard, RequireAccess } from './api-key.guard';
import type { AccessRequirement } from './api-key.guard';
import { ApiKeyring } from './api-keyring';
import type { ApiPrincipal } from './api-keyring';

const DEFAULT_KEY = 'd'.repeat(24);
const WRITE_KEY = 'w'.repeat(24);
const READ_KEY = 'r'.repeat(24);
const KEYS = JSON.stringify({
  'ci-deploy': { key: WRITE_KEY, roles: ['write'] },
  grafana: { key: READ_KEY, roles: ['read'] },
});

const READ_RULES: AccessRequirement = { role: 'read', readsOpen: true };
const DRY_RUN: AccessRequirement = { role: 'read', readsOpen: false };
const CHANGE: AccessRequirement = { role: 'write', readsOpen: false };

interface Call {
  allowed: boolean | Error;
  principal: ApiPrincipal | undefined;
  headers: Record<string, string>;
}

/** Runs the guard as Nest would, on a handler marked with `requirement`. */
function call(
  env: Record<string, string>,
  requirement: AccessRequirement,
  authorization?: string,
): Call {
  const config = loadConfig(env);
  const guard = new ApiKeyGuard(
    config,
    new ApiKeyring(config.http.apiKey, config.http.apiKeys),
    new Reflector(),
  );
  const handler = (): void => undefined;
  RequireAccess(requirement)({}, 'handler', { value: handler });
  const request: { headers: Record<string, string>; shellwatchPrincipal?: ApiPrincipal } = {
    headers: authorization === undefined ? {} : { authorization },
  };
  const headers: Record<string, string> = {};
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => ({ setHeader: (name: string, value: string) => (headers[name] = value) }),
    }),
  } as unknown as ExecutionContext;
  let allowed: boolean | Error;
  try {
    allowed = guard.canActivate(context);
  } catch (error) {
    allowed = error as Error;
  }
  return { allowed, principal: request.shellwatchPrincipal, headers };
}

const NAMED = { API_KEY: DEFAULT_KEY, API_KEYS: KEYS };

describe('ApiKeyGuard', () => {
  it('resolves each key to its name and roles; API_KEY is the write key "default"', () => {
    expect(call(NAMED, CHANGE, `Bearer ${WRITE_KEY}`).principal).toEqual({
      name: 'ci-deploy',
      roles: ['write'],
    });
    expect(call(NAMED, READ_RULES, `Bearer ${READ_KEY}`).principal).toEqual({
      name: 'grafana',
      roles: ['read'],
    });
    expect(call(NAMED, CHANGE, `Bearer ${DEFAULT_KEY}`).principal).toEqual({
      name: 'default',
      roles: ['write'],
    });
  });

  it('lets a read key read and dry-run, and refuses it a change with 403 naming the key', () => {
    expect(call(NAMED, READ_RULES, `Bearer ${READ_KEY}`).allowed).toBe(true);
    expect(call(NAMED, DRY_RUN, `Bearer ${READ_KEY}`).allowed).toBe(true);
    const refused = call(NAMED, CHANGE, `Bearer ${READ_KEY}`).allowed;
    expect(refused).toBeInstanceOf(ForbiddenException);
    expect((refused as Error).message).toBe(
      'the key "grafana" has the role read; this needs write',
    );
  });

  it('lets a write key read, dry-run and change', () => {
    for (const requirement of [READ_RULES, DRY_RUN, CHANGE]) {
      expect(call(NAMED, requirement, `Bearer ${WRITE_KEY}`).allowed).toBe(true);
    }
  });

  it('answers 401 with WWW-Authenticate to a missing or unknown key', () => {
    for (const authorization of [undefined, `Bearer ${READ_KEY}x`, `Basic ${READ_KEY}`]) {
      const { allowed, headers } = call(NAMED, READ_RULES, authorization);
      expect(allowed).toBeInstanceOf(UnauthorizedException);
      expect(headers['WWW-Authenticate']).toBe('Bearer realm="shellwatch"');
    }
  });

  it('opens reads of rules, and only them, with API_READS_OPEN=true', () => {
    const open = { ...NAMED, API_READS_OPEN: 'true' };
    expect(call(open, READ_RULES).allowed).toBe(true);
    expect(call(open, DRY_RUN).allowed).toBeInstanceOf(UnauthorizedException);
    expect(call(open, CHANGE).allowed).toBeInstanceOf(UnauthorizedException);
    expect(call(open, CHANGE, `Bearer ${READ_KEY}`).allowed).toBeInstanceOf(ForbiddenException);
  });

  it('refuses everything behind a key with 403 when no key is configured', () => {
    const reads = call({}, READ_RULES, `Bearer ${READ_KEY}`).allowed;
    expect(reads).toBeInstanceOf(ForbiddenException);
    expect((reads as Error).message).toMatch(/API_KEYS_FILE, or API_READS_OPEN=true/);
    const change = call({}, CHANGE, `Bearer ${READ_KEY}`).allowed;
    expect((change as Error).message).toMatch(/set API_KEY or API_KEYS_FILE/);
    expect(call({ API_READS_OPEN: 'true' }, READ_RULES).allowed).toBe(true);
  });

  it('works with a keys file alone, without API_KEY', () => {
    expect(call({ API_KEYS: KEYS }, CHANGE, `Bearer ${WRITE_KEY}`).allowed).toBe(true);
    expect(call({ API_KEYS: KEYS }, CHANGE, `Bearer ${DEFAULT_KEY}`).allowed).toBeInstanceOf(
      UnauthorizedException,
    );
  });
});
