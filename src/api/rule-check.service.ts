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
import type { RuleValidateResponseDto } from './dto/rule.dto';
import type {
  CorrelationTestAlertDto,
  RuleTestDeadLetterDto,
  RuleTestResponseDto,
  RuleTestResultDto,
} from './dto/rule-test.dto';
import { compileRuleFile, problemsOf, serializeRule } from './rule-documents';
import type { RuleDocument } from './rule-documents';
import type { RuleConvertRequestDto } from './dto/rule-convert-request.dto';
import type { RuleConvertResponseDto } from './dto/rule-convert.dto';
import type { RuleTestRequestDto } from './dto/rule-test-request.dto';
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
    private readonly config: Pick<Config, 'rules' | 'correlation'>,
    private readonly topic: KafkaRuleStore,
  ) {
    this.correlationSettings = config.correlation;
  }

  /** The named lists the rules use: the folder's, or the rule topic's (RULES_STORE=kafka). */
  private async lists(): Promise<SourceFile[]> {
    if (this.config.rules.store === 'kafka') return this.topic.snapshot().folder.lists;
    return (await this.files.read()).lists;
  }

  /** One Sigma rule converted (see convertSigmaRequest); nothing is saved. */
  convert(request: RuleConvertRequestDto): Promise<RuleConvertResponseDto> {
    return convertSigmaRequest(request, this.regexes);
  }

  /** Every problem of the body with its JSON pointer, and for a valid rule its failing examples. */
  async validate(document: RuleDocument): Promise<RuleValidateResponseDto> {
    const file = bodyFile(document);
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
  async test(request: RuleTestRequestDto): Promise<RuleTestResponseDto> {
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
   * The request's schema made sure it names exactly one of them.
   */
  async compileRequestRule(request: RuleNamed): Promise<{
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

  private ruleUnderTest({ rule, ruleId }: RuleNamed): {
    file: SourceFile;
    pointerPrefix: string;
  } {
    if (ruleId !== undefined) {
      // Beyond the pattern the schema checked: SW- only in the pack's own form.
      assertRuleId(ruleId);
      const active = this.store.activeRule(ruleId);
      if (active === undefined) {
        throw new NotFoundException(`rule ${ruleId} is not in the active rule set`);
      }
      return { file: active.source, pointerPrefix: '' };
    }
    return { file: bodyFile(rule ?? {}), pointerPrefix: '/rule' };
  }
}

/** How a dry run names its rule: a body (`rule`) or an id of the active set (`ruleId`). */
export type RuleNamed = Pick<RuleTestRequestDto, 'rule' | 'ruleId'>;

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
function bodyFile(document: { [field: string]: unknown }): SourceFile {
  const id = document['id'];
  const name = typeof id === 'string' && RULE_ID_PATTERN.test(id) ? id : 'rule';
  return { path: `${name}.json`, text: serializeRule(document) };
}

/** The inputs of a test request: records to decode, or events already built. */
type TestInputs =
  { kind: 'records'; records: BatchRecord[] } | { kind: 'events'; events: CommandEvent[] };

/**
 * The inputs of a test request (its schema made sure there is one kind of them, each
 * the right shape): records to decode, or events built from command lines or given.
 */
function testInputs(request: RuleTestRequestDto, ordered: boolean): TestInputs {
  const base = ordered ? orderedExample : exampleEvent;
  if (request.records !== undefined) {
    return {
      kind: 'records',
      records: request.records.map((line, index) => ({
        ...textRecord(line),
        offset: String(index),
      })),
    };
  }
  if (request.commands !== undefined) {
    return { kind: 'events', events: request.commands.map((line, index) => base(line, index)) };
  }
  // Fields an event leaves out are those of a plain command line (see exampleEvent).
  const events = (request.events ?? []).map((input, index): CommandEvent => ({
    ...base(input.process.command_line, index),
    ...(input as unknown as Partial<CommandEvent>),
  }));
  return { kind: 'events', events };
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
