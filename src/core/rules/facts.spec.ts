import { describe, expect, it } from 'vitest';
import { EventFacts, factsRecord } from './facts';
import { commandEvent } from './testing/rule-factory';

describe('EventFacts', () => {
  it('derives commandLine, commands, programs and decoded', () => {
    const facts = new EventFacts(
      commandEvent('echo cm0gLXJmIC8gLS1mb3JjZQ== | base64 -d | sudo sh; /bin/ls'),
    );
    expect(facts.get('commandLine')).toMatch(/^echo/);
    expect(facts.get('programs')).toEqual(['echo', 'base64', 'sh', 'ls']);
    expect(facts.get('decoded')).toEqual(['rm -rf / --force']);
    expect(facts.get('timestamp')).toBe('2026-01-15T12:00:00.000Z');
  });

  it('computes the parse once per event', () => {
    const facts = new EventFacts(commandEvent('rm -rf /'));
    expect(facts.get('commands')).toBe(facts.get('commands'));
  });

  it.each([
    ['user id 0', { user: { id: '0' } }, 'ls', true],
    ['user name root', { user: { name: 'root' } }, 'ls', true],
    ['effective root', { user: { name: 'bob', effective: { name: 'root' } } }, 'ls', true],
    ['sudo', {}, 'sudo ls', true],
    ['sudo -u root', {}, 'sudo -u root ls', true],
    ['sudo -u #0', {}, 'sudo -u "#0" ls', true],
    ['doas', {}, 'doas ls', true],
    ['su -c', {}, "su -c 'id'", true],
    ['sudo -u postgres', {}, 'sudo -u postgres psql', false],
    ['plain user', {}, 'ls', false],
  ])('isRoot: %s', (_name, overrides, line, expected) => {
    expect(new EventFacts(commandEvent(line, overrides)).get('isRoot')).toBe(expected);
  });

  it('never throws on an event without a string command line', () => {
    const facts = new EventFacts({ ...commandEvent('x'), process: {} as never });
    expect(facts.get('commands')).toEqual([]);
    expect(Object.keys(factsRecord(facts))).toHaveLength(15);
  });
});
