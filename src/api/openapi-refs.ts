/** Component names of the schemas the OpenAPI document adds beside Nest's DTOs (see openapi-schemas.ts). */
export const SCHEMA = {
  rule: 'Rule',
  ruleReplace: 'RuleReplace',
  rulePatch: 'RulePatch',
  ruleValidateRequest: 'RuleValidateRequest',
  ruleTestRequest: 'RuleTestRequest',
  ruleConvertRequest: 'RuleConvertRequest',
  rulePreviewRequest: 'RulePreviewRequest',
  health: 'HealthStatus',
} as const;

/** A reference to a component schema of the document. */
export function schemaRef(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}
