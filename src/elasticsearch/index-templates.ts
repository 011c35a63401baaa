/**
 * Index templates for the two indices, with explicit mappings so that
 * command lines, user names and rule ids are keywords (exact filters and
 * aggregations), not analysed text. `process.command_line` is a `wildcard`
 * field where the cluster has it (infix search on long strings), otherwise a
 * keyword with a `text` sub-field.
 */
export interface ClusterCapabilities {
  wildcardField: boolean;
  ilm: boolean;
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
        args: keyword,
        working_directory: keyword,
        pid: { type: 'long' },
        parent: { properties: { pid: { type: 'long' } } },
        exit_code: { type: 'long' },
      },
    },
    session: { properties: { id: keyword } },
    tty: keyword,
    event: {
      properties: {
        original: { type: 'keyword', index: false, doc_values: false },
        module: keyword,
        kind: keyword,
        created: { type: 'date' },
        severity: { type: 'long' },
      },
    },
    log: { properties: { source: keyword } },
    labels: { type: 'object', dynamic: true },
    kafka: {
      properties: { topic: keyword, partition: { type: 'integer' }, offset: { type: 'long' } },
    },
  };
}

/** An `_index_template` body for `index` and its `index-*` siblings, with these mappings on top of the command event's. */
function indexTemplate(
  index: string,
  capabilities: ClusterCapabilities,
  ownProperties: Record<string, unknown>,
): Record<string, unknown> {
  return {
    index_patterns: [index, `${index}-*`],
    priority: 200,
    template: {
      mappings: {
        dynamic_templates: [
          { strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } },
        ],
        properties: { ...commandEventProperties(capabilities), ...ownProperties },
      },
    },
    _meta: { managed_by: 'shellwatch' },
  };
}

/** Template body for the alerts index (`_index_template`). */
export function alertsTemplate(
  index: string,
  capabilities: ClusterCapabilities,
): Record<string, unknown> {
  return indexTemplate(index, capabilities, {
    rule: {
      properties: {
        id: keyword,
        name: keyword,
        description: { type: 'text' },
        version: keyword,
        severity: keyword,
        tags: keyword,
      },
    },
    threat: { properties: { framework: keyword, technique: { properties: { id: keyword } } } },
    shellwatch: {
      properties: {
        matched: { type: 'object', enabled: false },
        suppressed_count: { type: 'long' },
      },
    },
  });
}

/** Template body for the commands index. */
export function commandsTemplate(
  index: string,
  capabilities: ClusterCapabilities,
): Record<string, unknown> {
  return indexTemplate(index, capabilities, {
    shellwatch: {
      properties: { rule_ids: keyword, alert_count: { type: 'integer' }, severity: keyword },
    },
  });
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
