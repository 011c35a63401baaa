import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { textRecord } from '../core/decode';
import { KafkaRuleStore } from '../rules-store/kafka-rule-store.service';
import type { CommandEvent } from '../core/event';
import { EventRun, oneRuleRules } from '../core/event-run';
import type { CorrelationSettings, EventRunOutput } from '../core/event-run';
import type { BatchRecord } from '../core/process-batch';
import { EventFacts, exampleEvent, isSingleEventRule, runRuleExamples } from '../core/rules';
import type { CompiledRuleEvaluator, LoadedRule, RuleMatch, RuleSet } from '../core/rules';
import type { SourceFile } from '../core/rules';
import { DecoderFactory } from '../pipeline/decoder-factory';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { RuleFileWriter } from '../rules-store/rule-file-writer';
import { assertRuleId, RULE_ID_PATTERN } from '../rules-store/rule-paths';
import { RuleStore } from '../rules-store/rule-store.service';
import { RuleInvalidException } from './api-errors';
import type { RuleProblemDto, RuleValidateResponseDto } from './dto/rule.dto';
import { RULE_TEST_MAX_INPUTS } from './dto/rule-test.dto';
import type {
  CorrelationTestAlertDto,
  RuleTestDeadLetterDto,
  RuleTestResponseDto,
  RuleTestResultDto,
} from './dto/rule-test.dto';
import { isJsonObject } from './merge-patch';
import type { JsonValue } from './merge-patch';
import { compileRuleFile, problemsOf, requireRuleDocument, serializeRule } from './rule-documents';
import type { RuleConvertResponseDto } from './dto/rule-convert.dto';
import { convertSigmaRequest } from './sigma-convert';

/**
 * Dry runs: validate a rule body, or run a rule (a body, or one of the active
 * set) against command lines or events. Nothing is written; the checks are the
 * rule core's, with the named lists of the rules folder.
 */
@Injectable()
export class RuleCheckService {
  /** The service's correlation settings: a dry run correlates as the pipeline does. */
  private readonly correlationSettings: CorrelationSettings;

  constructor(
    private readonly store: RuleStore,
    private readonly files: RuleFileWriter,
    private readonly regexes: RuleRegexService,
    private readonly decoders: DecoderFactory,
    @Inject(CONFIG)
    private readonly config: Pick<
      Config,
      'rulesStore' | 'correlationGraceMs' | 'correlationMaxKeys'
    >,
    private readonly topic: KafkaRuleStore,
  ) {
    this.correlationSettings = {
      graceMs: config.correlationGraceMs,
      maxKeys: config.correlationMaxKeys,
    };
  }

  /** The named lists the rules use: the folder's, or the rule topic's (RULES_STORE=kafka). */
  private async lists(): Promise<SourceFile[]> {
    if (this.config.rulesStore === 'kafka') return this.topic.snapshot().folder.lists;
    return (await this.files.read()).lists;
  }

  /** One Sigma rule converted (see convertSigmaRequest); nothing is saved. */
  convert(body: unknown): Promise<RuleConvertResponseDto> {
    return convertSigmaRequest(body, this.regexes);
  }

  /** Every problem of the body with its JSON pointer, and for a valid rule its failing examples. */
  async validate(body: unknown): Promise<RuleValidateResponseDto> {
    if (!isJsonObject(body)) {
      return {
        valid: false,
        problems: [{ pointer: '', message: 'a rule must be a JSON object' }],
        exampleFailures: [],
      };
    }
    const file = bodyFile(body);
    const lists = await this.lists();
    const result = await compileRuleFile(file, lists, this.regexes);
    if (!result.ok) {
      const listProblems = result.errors.filter((problem) => problem.file !== file.path);
      return {
        valid: false,
        problems: [...problemsOf(result.errors, file.path), ...listProblems],
        exampleFailures: [],
      };
    }
    const [rule] = result.rules;
    const failures = rule === undefined ? [] : runRuleExamples(rule, result.evaluator);
    return {
      valid: true,
      problems: [],
      exampleFailures: failures.map(({ pointer, kind, line, message }) => ({
        pointer,
        kind,
        line,
        message,
      })),
    };
  }

  /**
   * Runs one rule, enabled or not, on each input through the service's event run
   * (src/core/event-run): whether it matched and which conditions held, the alert the
   * service would write (suppression and correlation included, with the service's
   * settings), and for records the dead letters.
   */
  async test(body: unknown): Promise<RuleTestResponseDto> {
    const request = requireRuleDocument(body, 'a test request');
    const { rule, evaluator } = await this.compileRequestRule(request);
    const ordered = !isSingleEventRule(rule);
    const inputs = testInputs(request, ordered);
    // Every event the run evaluated, in order, with what the rule's evaluation found (the why).
    const rules = oneRuleRules(rule, evaluator);
    const evaluated: EvaluatedInput[] = [];
    const run = new EventRun({
      source: TEST_SOURCE,
      rules: {
        ...rules,
        evaluator: {
          ruleCount: 1,
          evaluate: (event) => {
            const matches = rules.evaluator.evaluate(event);
            evaluated.push({ event, match: matches[0] });
            return matches;
          },
        },
      },
      input: this.decoders.options,
      correlation: this.correlationSettings,
      writeCommands: true,
    });
    const output =
      inputs.kind === 'records'
        ? [run.feed(inputs.records), run.finish()]
        : [
            run.feedEvents(
              inputs.events.map((event, index) => ({
                event,
                offset: String(index),
                eventIndex: 0,
              })),
            ),
            run.finish(),
          ];
    return testResponse(rule, ordered, evaluated, output);
  }

  /**
   * The rule a dry run names, `rule` (a body, not saved) or `ruleId` (of the active set,
   * enabled or not), validated and compiled on its own with the folder's named lists:
   * the checks and the compiler of a rule file, its regexes within a request's limits.
   * 400 with pointers (under `/rule` for a body), 404 for an id not in the active set.
   */
  async compileRequestRule(request: { [key: string]: JsonValue }): Promise<{
    rule: LoadedRule;
    ruleSet: RuleSet;
    evaluator: CompiledRuleEvaluator;
  }> {
    const lists = await this.lists();
    const { file, pointerPrefix } = this.ruleUnderTest(request);
    const result = await compileRuleFile(file, lists, this.regexes);
    if (!result.ok) {
      throw new RuleInvalidException(
        'the rule is invalid',
        result.errors.map((problem) =>
          problem.file === file.path
            ? { pointer: `${pointerPrefix}${problem.pointer}`, message: problem.message }
            : problem,
        ),
      );
    }
    const rule = result.rules[0];
    if (rule === undefined) throw new RuleInvalidException('no rule in the request', []);
    return { rule, ruleSet: result.ruleSet, evaluator: result.evaluator };
  }

  private ruleUnderTest(request: { [key: string]: JsonValue }): {
    file: SourceFile;
    pointerPrefix: string;
  } {
    const { rule, ruleId } = request;
    if ((rule === undefined) === (ruleId === undefined)) {
      throw new RuleInvalidException('give either "rule" (a rule body) or "ruleId", not both', [
        { pointer: '', message: 'needs exactly one of "rule" and "ruleId"' },
      ]);
    }
    if (ruleId !== undefined) {
      if (typeof ruleId !== 'string') {
        throw new RuleInvalidException('"ruleId" must be a string', [
          { pointer: '/ruleId', message: 'must be a string' },
        ]);
      }
      assertRuleId(ruleId);
      const active = this.store.activeRule(ruleId);
      if (active === undefined) {
        throw new NotFoundException(`rule ${ruleId} is not in the active rule set`);
      }
      return { file: active.source, pointerPrefix: '' };
    }
    return { file: bodyFile(requireRuleDocument(rule)), pointerPrefix: '/rule' };
  }
}

/** Where a dry run's inputs are said to come from: ids `input:0:<index>`. */
const TEST_SOURCE = { topic: 'input', partition: 0 } as const;

/** The position of a dry-run input in its request, from a document offset or id `input:0:<index>[:…]`. */
function inputIndex(idOrOffset: string): number {
  const parts = idOrOffset.split(':');
  return Number(parts.length === 1 ? parts[0] : parts[2]);
}

/** An event the dry run evaluated, and the rule's match when its conditions held. */
interface EvaluatedInput {
  event: CommandEvent;
  match: RuleMatch | undefined;
}

/** `shellwatch.correlation` of a correlation alert document (build-correlation-alert.ts). */
interface CorrelationDetails {
  type: 'threshold' | 'sequence';
  group: Record<string, string>;
  events: { id: string }[];
}

/**
 * The answer of a dry run, from what the event run wrote: per event whether the rule's
 * conditions held (for thresholds and sequences, their `conditions`) and the alert id
 * the service would write; the correlation alerts; the dead letters of records.
 */
function testResponse(
  rule: LoadedRule,
  ordered: boolean,
  evaluated: readonly EvaluatedInput[],
  outputs: readonly EventRunOutput[],
): RuleTestResponseDto {
  const written = new Set<string>();
  const commandIds: string[] = [];
  const offsets: string[] = [];
  const alerts: CorrelationTestAlertDto[] = [];
  const deadLetters: RuleTestDeadLetterDto[] = [];
  for (const output of outputs) {
    for (const document of output.documents) {
      // One command document per evaluated event, in the order they were evaluated.
      if (document.target === 'commands') {
        commandIds.push(document.id);
        offsets.push(document.offset);
        continue;
      }
      if (document.op !== undefined) continue;
      const shellwatch = document.body['shellwatch'] as { correlation?: CorrelationDetails };
      const details = shellwatch.correlation;
      if (details === undefined) {
        written.add(document.id);
        continue;
      }
      alerts.push({
        id: document.id,
        type: details.type,
        group: details.group,
        timestamp: String(document.body['@timestamp']),
        inputs: details.events.map((event) => inputIndex(event.id)),
      });
    }
    for (const letter of output.deadLetters) {
      deadLetters.push({
        index: inputIndex(letter.offset),
        reason: letter.reason,
        message: letter.message,
      });
    }
  }
  const ruleId = rule.definition.id;
  const results = evaluated.map(({ event, match }, i): RuleTestResultDto => {
    const alertId = `${commandIds[i] ?? ''}:${ruleId}`;
    return {
      index: inputIndex(offsets[i] ?? '0'),
      commandLine: event.process.command_line,
      matched: ordered ? rule.conditions(new EventFacts(event), null) : match !== undefined,
      conditions: match?.matched ?? [],
      ...(written.has(alertId) ? { alertId } : {}),
    };
  });
  return {
    ruleId,
    enabled: rule.definition.enabled,
    results,
    ...(ordered ? { alerts } : {}),
    ...(deadLetters.length > 0 ? { deadLetters } : {}),
  };
}

/** A rule body as a file for the loader, named after its id so the name check holds. */
function bodyFile(document: { [key: string]: JsonValue }): SourceFile {
  const id = document['id'];
  const name = typeof id === 'string' && RULE_ID_PATTERN.test(id) ? id : 'rule';
  return { path: `${name}.json`, text: serializeRule(document) };
}

/** The inputs of a test request: records to decode, or events already built. */
type TestInputs =
  { kind: 'records'; records: BatchRecord[] } | { kind: 'events'; events: CommandEvent[] };

const INPUT_NAMES = ['commands', 'events', 'records'] as const;

/** The inputs of a test request; 400 with a pointer to the first bad one. */
function testInputs(request: { [key: string]: JsonValue }, ordered: boolean): TestInputs {
  const base = ordered ? orderedExample : exampleEvent;
  const given = INPUT_NAMES.filter((key) => request[key] !== undefined);
  const name = given[0];
  if (name === undefined || given.length > 1) {
    throw new RuleInvalidException('give one of "commands", "events" or "records", not several', [
      { pointer: '', message: 'needs exactly one of "commands", "events" and "records"' },
    ]);
  }
  const inputs = request[name];
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > RULE_TEST_MAX_INPUTS) {
    throw new RuleInvalidException(
      `"${name}" must be an array of 1 to ${RULE_TEST_MAX_INPUTS} items`,
      [{ pointer: `/${name}`, message: `must be an array of 1 to ${RULE_TEST_MAX_INPUTS} items` }],
    );
  }
  const problems: RuleProblemDto[] = [];
  if (name === 'records') {
    const records = inputs.map((input, index): BatchRecord => {
      if (typeof input !== 'string')
        problems.push({ pointer: `/records/${index}`, message: 'must be a string' });
      return { ...textRecord(typeof input === 'string' ? input : ''), offset: String(index) };
    });
    if (problems.length > 0) throw new RuleInvalidException('invalid test inputs', problems);
    return { kind: 'records', records };
  }
  const built = inputs.map((input, index): CommandEvent => {
    if (name === 'commands') {
      if (typeof input === 'string') return base(input, index);
      problems.push({ pointer: `/commands/${index}`, message: 'must be a string' });
      return exampleEvent('');
    }
    const process = isJsonObject(input) ? input['process'] : undefined;
    const line = isJsonObject(process) ? process['command_line'] : undefined;
    if (!isJsonObject(input) || !isJsonObject(process) || typeof line !== 'string') {
      problems.push({
        pointer: `/events/${index}/process/command_line`,
        message: 'an event needs process.command_line (a string)',
      });
      return exampleEvent('');
    }
    // Fields the event leaves out are those of a plain command line (see exampleEvent).
    return { ...base(line, index), ...(input as unknown as Partial<CommandEvent>) };
  });
  if (problems.length > 0) throw new RuleInvalidException('invalid test inputs', problems);
  return { kind: 'events', events: built };
}

/** exampleEvent, one second after the previous input, in session `example-session`. */
function orderedExample(line: string, index: number): CommandEvent {
  const base = exampleEvent(line);
  return {
    ...base,
    '@timestamp': new Date(Date.parse(base['@timestamp']) + index * 1000).toISOString(),
    session: { id: 'example-session' },
  };
}
