import {
  BadRequestException,
  ConflictException,
  PreconditionFailedException,
} from '@nestjs/common';
import type { RuleProblem } from '../core/rules';
import type { RuleProblemDto } from './dto/rule.dto';

/** 400: the rule in the request is invalid; `problems` has a JSON pointer for each. */
export class RuleInvalidException extends BadRequestException {
  constructor(message: string, problems: RuleProblemDto[]) {
    super({ message, problems });
  }
}

/**
 * 409: the change itself is fine but the folder would not load with it (another
 * file is broken, or the folder changed under us); the last good set is active.
 */
export class RuleSetConflictException extends ConflictException {
  constructor(message: string, problems: RuleProblem[]) {
    super({ message, problems });
  }
}

/** 412: If-Match names another version of the file; `etag` is the current one. */
export class RuleVersionMismatchException extends PreconditionFailedException {
  constructor(id: string, etag: string) {
    super({
      message: `rule ${id} changed since it was read (If-Match does not match the current ETag); read it again and retry`,
      etag,
    });
  }
}
