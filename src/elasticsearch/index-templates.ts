/**
 * Index templates for the two indices, with explicit mappings so that
 * command lines, user names and rule ids are keywords (exact filters and
 * aggregations), not analysed text. `process.command_line` is a `wildcard`
 * field where the cluster has it (infix search on long strings), otherwise a
 * keyword with a `text` sub-field.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { ClusterCapabilities, StorageMode } from './storage-mode';

export type { ClusterCapabilities } from './storage-mode';

/** How one target is stored: plain index, or data stream with its retention (none = kept). */
export interface TargetStorage {
  mode: StorageMode;
  /** Elasticsearch time value (`30d`, `12h`); null keeps documents until deleted by hand. */
  retention: string | null;
}

const PLAIN: TargetStorage = { mode: 'indices', retention: null };

/** Name of the template (and of the ILM policy) Shellwatch manages for an index or stream. */
export function templateName(index: string): string {
  return `shellwatch-${index}`;
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

function commandLineMapping(capabilities: ClusterCapabilities): Record<string, unknown> {
  return capabilities.wildcardField
    ? { type: 'wildcard', fields: { text: { type: 'text' } } }
    : { type: 'keyword', ignore_above: 8191, fields: { text: { type: 'text' } } };
}

function commandEventProperties(capabilities: ClusterCapabilities): Record<string, unknown> {
  return {
    '@timestamp': { type: 'date' },
    ecs: { properties: { version: keyword } },
    user: {
      properties: {
        name: keyword,
        id: keyword,
        effective: { properties: { name: keyword, id: keyword } },
      },
    },
    host: { properties: { name: keyword } },
    source: { properties: { ip: { type: 'ip', ignore_malformed: true } } },
    process: {
      properties: {
        command_line: commandLineMapping(capabilities),
        executable: keyword,
        name: keyword,
        args: keyword,
        args_count: { type: 'long' },
        working_directory: keyword,
        pid: { type: 'long' },
        parent: { properties: { pid: { type: 'long' } } },
        exit_code: { type: 'long' },
      },
    },
    event: {
      properties: {
        original: { type: 'keyword', index: false, doc_values: false },
        module: keyword,
        kind: keyword,
        category: keyword,
        type: keyword,
        action: keyword,
        created: { type: 'date' },
        severity: { type: 'long' },
      },
    },
    related: {
      properties: { user: keyword, hosts: keyword, ip: { type: 'ip', ignore_malformed: true } },
    },
    labels: { type: 'object', dynamic: true },
  };
}

/** `shellwatch.*` fields every document has: the fields ECS has no place for. */
const vendorProperties = {
  log: { properties: { source: keyword } },
  session: { properties: { id: keyword } },
  tty: keyword,
  kafka: {
    properties: { topic: keyword, partition: { type: 'integer' }, offset: { type: 'long' } },
  },
};

/**
 * An `_index_template` body for `index` and its `index-*` siblings, with these mappings
 * on top of the command event's. For a data stream it declares `data_stream` and the
 * lifecycle: `lifecycle.data_retention` (data stream lifecycle) or the ILM policy's name.
 */
function indexTemplate(
  index: string,
  capabilities: ClusterCapabilities,
  ownProperties: Record<string, unknown>,
  storage: TargetStorage,
): Record<string, unknown> {
  const template: Record<string, unknown> = {
    mappings: {
      dynamic_templates: [
        { strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } },
      ],
      properties: { ...commandEventProperties(capabilities), ...ownProperties },
    },
  };
  if (storage.mode === 'data-stream-lifecycle') {
    template.lifecycle = storage.retention === null ? {} : { data_retention: storage.retention };
  } else if (storage.mode === 'data-stream-ilm') {
    template.settings = { 'index.lifecycle.name': templateName(index) };
  }
  return {
    index_patterns: [index, `${index}-*`],
    priority: 200,
    ...(storage.mode === 'indices' ? {} : { data_stream: {} }),
    template,
    _meta: { managed_by: 'shellwatch' },
  };
}

/**
 * The ILM policy of a data stream on a cluster without the data stream lifecycle:
 * roll the write index over daily (or at 50 GB a shard), delete a backing index once
 * it is `retention` old counted from its rollover; without retention, only roll over.
 */
export function lifecyclePolicy(retention: string | null): estypes.IlmPolicy {
  return {
    phases: {
      hot: {
        actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } },
      },
      ...(retention === null ? {} : { delete: { min_age: retention, actions: { delete: {} } } }),
    },
    _meta: { managed_by: 'shellwatch' },
  };
}

/** Template body for the alerts index (`_index_template`). */
export function alertsTemplate(
  index: string,
  capabilities: ClusterCapabilities,
  storage: TargetStorage = PLAIN,
): Record<string, unknown> {
  return indexTemplate(
    index,
    capabilities,
    {
      rule: {
        properties: {
          id: keyword,
          name: keyword,
          description: { type: 'text' },
          version: keyword,
          ruleset: keyword,
        },
      },
      tags: keyword,
      threat: {
        properties: {
          framework: keyword,
          tactic: { properties: { id: keyword, name: keyword, reference: keyword } },
          technique: {
            properties: {
              id: keyword,
              name: keyword,
              reference: keyword,
              subtechnique: { properties: { id: keyword, name: keyword, reference: keyword } },
            },
          },
        },
      },
      shellwatch: {
        properties: {
          ...vendorProperties,
          rule: { properties: { severity: keyword, tags: keyword } },
          matched: { type: 'object', enabled: false },
          suppressed_count: { type: 'long' },
        },
      },
    },
    storage,
  );
}

/** Template body for the commands index. */
export function commandsTemplate(
  index: string,
  capabilities: ClusterCapabilities,
  storage: TargetStorage = PLAIN,
): Record<string, unknown> {
  return indexTemplate(
    index,
    capabilities,
    {
      shellwatch: {
        properties: {
          ...vendorProperties,
          rule_ids: keyword,
          alert_count: { type: 'integer' },
          args_from_command_line: { type: 'boolean' },
          severity: keyword,
        },
      },
    },
    storage,
  );
}

/**
 * Template body for the audit index: its own small mapping (not the command
 * event's). `shellwatch.audit.change` holds whole rule documents and patches:
 * stored, not indexed, so no rule field can ever grow or break the mapping.
 */
export function auditTemplate(index: string): Record<string, unknown> {
  return {
    index_patterns: [index, `${index}-*`],
    priority: 200,
    template: {
      mappings: {
        dynamic: 'strict',
        properties: {
          '@timestamp': { type: 'date' },
          event: {
            properties: {
              kind: keyword,
              category: keyword,
              type: keyword,
              action: keyword,
              outcome: keyword,
              module: keyword,
            },
          },
          user: { properties: { name: keyword } },
          rule: { properties: { id: keyword } },
          file: { properties: { path: keyword } },
          shellwatch: {
            properties: {
              audit: {
                properties: {
                  version_before: keyword,
                  version_after: keyword,
                  change: { type: 'object', enabled: false },
                },
              },
            },
          },
        },
      },
    },
    _meta: { managed_by: 'shellwatch' },
  };
}
