import { describe, expect, it } from 'vitest';
import { DecodeError, errorMessage } from './errors';

describe('errorMessage', () => {
  it("gives an Error's message, not its name or stack", () => {
    expect(errorMessage(new DecodeError('INVALID_JSON', 'record is not valid JSON'))).toBe(
      'record is not valid JSON',
    );
  });

  it('gives the string form of anything else thrown', () => {
    expect(errorMessage('ECONNRESET')).toBe('ECONNRESET');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
