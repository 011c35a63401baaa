import { DEFAULT_API_KEY_NAME } from '../config/api-keys';
import type { ApiKeyEntry, ApiRole } from '../config/api-keys';
import { apiKeyMatches } from './api-key';

/** Who made a request: the name of the key presented, and its roles. */
export interface ApiPrincipal {
  readonly name: string;
  readonly roles: readonly ApiRole[];
}

/**
 * Every key the API accepts: the named keys of API_KEYS_FILE and, when set, the
 * single API_KEY as a write key named `default`.
 */
export class ApiKeyring {
  private readonly entries: readonly ApiKeyEntry[];

  constructor(apiKey: string | null, apiKeys: readonly ApiKeyEntry[]) {
    this.entries = [
      ...(apiKey === null ? [] : [{ name: DEFAULT_API_KEY_NAME, key: apiKey, roles: ['write'] }]),
      ...apiKeys,
    ] as ApiKeyEntry[];
  }

  /** Whether any key is configured (without one, everything behind a key is refused). */
  get empty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * The key `presented` belongs to, or undefined. Every configured key is compared,
   * each in constant time, whichever matches: the time taken tells nothing about
   * which key (if any) came close.
   */
  resolve(presented: string): ApiPrincipal | undefined {
    let found: ApiKeyEntry | undefined;
    for (const entry of this.entries) {
      if (apiKeyMatches(entry.key, presented) && found === undefined) found = entry;
    }
    return found === undefined ? undefined : { name: found.name, roles: found.roles };
  }
}
