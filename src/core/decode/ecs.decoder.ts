import { sourceAddress } from './address';
import { one, fail, type FormatDecoder } from './context';
import { mergeFields, type EventFields } from './event-fields';
import { getPath, isObject, JsonFields, labelKey, parseJsonObject } from './json';

/**
 * `ecs`: a command event that is already ECS JSON (another pipeline, an agent,
 * our own commands index). Passed through with validation: every field we use
 * is read from its ECS path (nested or dotted keys alike) and type-checked, so
 * a wrong type is an INVALID_FIELD rather than a document Elasticsearch rejects.
 *
 * Required: `process.command_line` (string). `@timestamp` must parse when
 * present. Read: `user.{name,id}`, `user.effective.{name,id}`, `host.name`
 * (else `host.hostname`), `source.ip` (else `source.address`), `process.{
 * executable,args,working_directory,pid,parent.pid,exit_code}`, `session.id`,
 * `tty` (else `process.tty.name`), and `labels` (scalar values, as strings).
 * Other ECS fields are not copied: the event shape is ours to keep small.
 */
export const decodeEcs: FormatDecoder = (text, ctx, json) => {
  const obj = json ?? parseJsonObject(text, 'ecs');
  const r = new JsonFields(obj, 'ecs');
  const commandLine = getPath(obj, 'process.command_line');
  if (commandLine === undefined || commandLine === null) {
    fail('MISSING_FIELD', 'ecs: missing field "process.command_line"', {
      field: 'process.command_line',
      format: 'ecs',
    });
  }
  if (typeof commandLine !== 'string') {
    fail('INVALID_FIELD', 'ecs: field "process.command_line": expected a string', {
      field: 'process.command_line',
      format: 'ecs',
    });
  }
  const fields: EventFields = {
    '@timestamp': r.timestamp(['@timestamp'], ctx.referenceMs),
    'user.name': r.string(['user.name']),
    'user.id': r.string(['user.id']),
    'user.effective.name': r.string(['user.effective.name']),
    'user.effective.id': r.string(['user.effective.id']),
    'host.name': r.string(['host.name', 'host.hostname']),
    'process.command_line': r.required(['process.command_line']),
    'process.executable': r.string(['process.executable']),
    'process.args': stringArray(getPath(obj, 'process.args'), 'process.args'),
    'process.working_directory': r.string(['process.working_directory']),
    'process.pid': r.integer(['process.pid']),
    'process.parent.pid': r.integer(['process.parent.pid']),
    'process.exit_code': r.integer(['process.exit_code']),
    'session.id': r.string(['session.id']),
    tty: r.string(['tty', 'process.tty.name']),
    labels: scalarLabels(getPath(obj, 'labels')),
  };
  return one(
    mergeFields(fields, sourceAddress(r.string(['source.ip', 'source.address']))),
    'ecs',
    ctx,
  );
};

function stringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value;
  return fail('INVALID_FIELD', `ecs: field "${field}": expected an array of strings`, {
    field,
    format: 'ecs',
  });
}

function scalarLabels(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out[labelKey(key)] = String(v);
    }
  }
  return out;
}
