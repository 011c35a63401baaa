import ipaddr from 'ipaddr.js';

/**
 * The subset of ECS 8.17 field definitions Shellwatch documents use: field name →
 * ECS type, and the allowed values of the categorisation fields. Copied by hand from
 * the ECS 8.17 field reference (field names, types and allowed values are the
 * schema's facts). `labels.*` is ECS's object of keywords; `shellwatch.*` is our
 * vendor namespace and is not checked here.
 */
export const ECS_VERSION_ENCODED = '8.17.0';

export type EcsType = 'keyword' | 'wildcard' | 'date' | 'long' | 'ip' | 'match_only_text';

export const ECS_FIELDS: Readonly<Record<string, EcsType>> = {
  '@timestamp': 'date',
  tags: 'keyword',
  'ecs.version': 'keyword',
  'event.kind': 'keyword',
  'event.category': 'keyword',
  'event.type': 'keyword',
  'event.action': 'keyword',
  'event.created': 'date',
  'event.severity': 'long',
  'event.original': 'keyword',
  'event.module': 'keyword',
  'event.dataset': 'keyword',
  'user.name': 'keyword',
  'user.id': 'keyword',
  'user.effective.name': 'keyword',
  'user.effective.id': 'keyword',
  'host.name': 'keyword',
  'source.ip': 'ip',
  'process.command_line': 'wildcard',
  'process.executable': 'keyword',
  'process.name': 'keyword',
  'process.args': 'keyword',
  'process.args_count': 'long',
  'process.working_directory': 'keyword',
  'process.pid': 'long',
  'process.parent.pid': 'long',
  'process.exit_code': 'long',
  'related.user': 'keyword',
  'related.hosts': 'keyword',
  'related.ip': 'ip',
  'rule.id': 'keyword',
  'rule.name': 'keyword',
  'rule.description': 'keyword',
  'rule.version': 'keyword',
  'rule.ruleset': 'keyword',
  'threat.framework': 'keyword',
  'threat.tactic.id': 'keyword',
  'threat.tactic.name': 'keyword',
  'threat.tactic.reference': 'keyword',
  'threat.technique.id': 'keyword',
  'threat.technique.name': 'keyword',
  'threat.technique.reference': 'keyword',
  'threat.technique.subtechnique.id': 'keyword',
  'threat.technique.subtechnique.name': 'keyword',
  'threat.technique.subtechnique.reference': 'keyword',
};

/** ECS allowed values of `event.kind`. */
export const EVENT_KINDS = [
  'alert',
  'asset',
  'enrichment',
  'event',
  'metric',
  'state',
  'pipeline_error',
  'signal',
] as const;

/** ECS allowed values of `event.category`, each with the `event.type` values it expects. */
export const EVENT_CATEGORY_TYPES: Readonly<Record<string, readonly string[]>> = {
  authentication: ['start', 'end', 'info'],
  configuration: ['access', 'change', 'creation', 'deletion', 'info'],
  file: ['change', 'creation', 'deletion', 'info', 'access'],
  host: ['access', 'change', 'end', 'info', 'start'],
  iam: ['admin', 'change', 'creation', 'deletion', 'group', 'info', 'user'],
  network: ['access', 'allowed', 'connection', 'denied', 'end', 'info', 'protocol', 'start'],
  process: ['access', 'change', 'end', 'info', 'start'],
  session: ['start', 'end', 'info'],
};

/** Every ECS top-level field set (and top-level field) the documents may use. */
const TOP_LEVEL = new Set(Object.keys(ECS_FIELDS).map((name) => name.split('.')[0]));
TOP_LEVEL.add('labels');

/**
 * Problems of one document against the encoded ECS subset: a top-level field that is
 * neither ECS nor `shellwatch`, an ECS field name not defined, a value of the wrong
 * type, or an `event.*` categorisation value ECS does not allow.
 */
export function ecsProblems(document: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(document)) {
    if (key !== 'shellwatch' && !TOP_LEVEL.has(key)) problems.push(`${key}: not an ECS field set`);
  }
  for (const [path, value] of leaves(document)) {
    if (path.startsWith('shellwatch.')) continue;
    if (path.startsWith('labels.')) {
      if (typeof value !== 'string') problems.push(`${path}: labels hold keywords only`);
      continue;
    }
    const type = ECS_FIELDS[path];
    if (type === undefined) {
      problems.push(`${path}: not in ECS ${ECS_VERSION_ENCODED} (as encoded)`);
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      if (!hasType(one, type)) problems.push(`${path}: ${JSON.stringify(one)} is not a ${type}`);
    }
  }
  const event = (document.event ?? {}) as Record<string, unknown>;
  if (!EVENT_KINDS.includes(event.kind as (typeof EVENT_KINDS)[number])) {
    problems.push(`event.kind: ${JSON.stringify(event.kind)} is not an ECS allowed value`);
  }
  const categories = asList(event.category);
  const types = asList(event.type);
  if (categories.length === 0) problems.push('event.category: missing');
  for (const category of categories) {
    const allowed = EVENT_CATEGORY_TYPES[category];
    if (allowed === undefined) {
      problems.push(`event.category: ${category} is not an ECS allowed value`);
      continue;
    }
    for (const type of types) {
      if (!allowed.includes(type))
        problems.push(`event.type: ${type} is not expected with ${category}`);
    }
  }
  return problems;
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function hasType(value: unknown, type: EcsType): boolean {
  switch (type) {
    case 'keyword':
    case 'wildcard':
    case 'match_only_text':
      return typeof value === 'string';
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'ip':
      return typeof value === 'string' && ipaddr.isValid(value);
  }
}

/** Dotted path → value of every leaf; arrays of scalars are leaves. */
function* leaves(node: Record<string, unknown>, prefix = ''): Generator<[string, unknown]> {
  for (const [key, value] of Object.entries(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      yield* leaves(value as Record<string, unknown>, path);
    } else {
      yield [path, value];
    }
  }
}
