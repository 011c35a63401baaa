import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CONFIG } from '../config/config';
import type { Config } from '../config/config';
import { KafkaRuleStore } from '../rules-store/kafka-rule-store.service';
import { CorrelationEngine } from '../core/correlation';
import type { CorrelationAlert } from '../core/correlation';
import type { CommandEvent } from '../core/event';
import { EventFacts, exampleEvent, isSingleEventRule, runRuleExamples } from '../core/rules';
import type { LoadedRule } from '../core/rules';
import type { SourceFile } from '../core/rules';
import { RuleRegexService } from '../regex-check/rule-regex.service';
import { RuleFileWriter } from '../rules-store/rule-file-writer';
import { assertRuleId, RULE_ID_PATTERN } from '../rules-store/rule-paths';
import { RuleStore } from '../rules-store/rule-store.service';
import { RuleInvalidException } from './api-errors';
import type { RuleProblemDto, RuleValidateResponseDto } from './dto/rule.dto';
import { RULE_TEST_MAX_INPUTS } from './dto/rule-test.dto';
import type { RuleTestResponseDto } from './dto/rule-test.dto';
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
  constructor(
    @Inject(CONFIG) private readonly config: Pick<Config, 'rulesStore'>,
    private readonly store: RuleStore,
    private readonly files: RuleFileWriter,
    private readonly topic: KafkaRuleStore,
    private readonly regexes: RuleRegexService,
  ) {}

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

  /** Runs one rule, enabled or not, on each input; says whether it matched and which conditions held. */
  async test(body: unknown): Promise<RuleTestResponseDto> {
    const request = requireRuleDocument(body, 'a test request');
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
    if (rule === undefined) throw new RuleInvalidException('no rule to test', []);
    const ruleId = rule.definition.id;
    const ordered = !isSingleEventRule(rule);
    const events = testInputs(request, ordered);
    if (ordered) return testCorrelation(rule, events);
    return {
      ruleId,
      enabled: rule.definition.enabled,
      results: events.map((event, index) => {
        const match = result.evaluator.evaluateRule(ruleId, event);
        return {
          index,
          commandLine: event.process.command_line,
          matched: match !== undefined,
          conditions: match?.matched ?? [],
        };
      }),
    };
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

/**
 * A threshold or sequence rule on the inputs in their order (one partition's worth):
 * per input whether it matched the rule's conditions or one of its steps, and the
 * correlation alerts. Plain `commands` happen one second apart in one session.
 */
function testCorrelation(rule: LoadedRule, events: CommandEvent[]): RuleTestResponseDto {
  const engine = new CorrelationEngine(
    [{ ...rule, definition: { ...rule.definition, enabled: true } }],
    {
      graceMs: 0,
      maxKeys: 10_000,
    },
  );
  const alerts: CorrelationAlert[] = [];
  const results = events.map((event, index) => {
    alerts.push(...engine.process(event, { id: `input:${index}` }).alerts);
    return {
      index,
      commandLine: event.process.command_line,
      matched: rule.conditions(new EventFacts(event), null),
      conditions: [],
    };
  });
  alerts.push(...engine.finish());
  return {
    ruleId: rule.definition.id,
    enabled: rule.definition.enabled,
    results,
    alerts: alerts.map((alert) => ({
      id: alert.id,
      type: alert.type,
      group: alert.group,
      timestamp: alert.timestamp,
      inputs: alert.events.map((e) => Number(e.id.slice('input:'.length))),
    })),
  };
}

/** A rule body as a file for the loader, named after its id so the name check holds. */
function bodyFile(document: { [key: string]: JsonValue }): SourceFile {
  const id = document['id'];
  const name = typeof id === 'string' && RULE_ID_PATTERN.test(id) ? id : 'rule';
  return { path: `${name}.json`, text: serializeRule(document) };
}

/** The inputs of a test request as command events; 400 with a pointer to the first bad one. */
function testInputs(request: { [key: string]: JsonValue }, ordered: boolean): CommandEvent[] {
  const base = ordered ? orderedExample : exampleEvent;
  const { commands, events } = request;
  if ((commands === undefined) === (events === undefined)) {
    throw new RuleInvalidException('give either "commands" or "events", not both', [
      { pointer: '', message: 'needs exactly one of "commands" and "events"' },
    ]);
  }
  const inputs = commands ?? events;
  const name = commands !== undefined ? 'commands' : 'events';
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > RULE_TEST_MAX_INPUTS) {
    throw new RuleInvalidException(
      `"${name}" must be an array of 1 to ${RULE_TEST_MAX_INPUTS} items`,
      [{ pointer: `/${name}`, message: `must be an array of 1 to ${RULE_TEST_MAX_INPUTS} items` }],
    );
  }
  const problems: RuleProblemDto[] = [];
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
  return built;
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
