/**
 * The IAM policy engine: parse + compile once, evaluate many times, explain on demand, lint.
 * Named re-exports only (STYLE.md §8).
 */

export type {
  BaseOperator,
  ConditionBlock,
  ConditionClause,
  ConditionOperator,
  Effect,
  PatternElement,
  PolicyKind,
  PolicyLabel,
  PolicyStatement,
  PolicyVersion,
  PrincipalElement,
  PrincipalEntry,
  PrincipalType,
  SetQualifier,
  SourcePosition,
} from './ast.js';
export type { PolicyError, PolicyErrorCode } from './errors.js';
export { parsePolicy } from './compile.js';
export type { CompiledPolicy, ParsePolicyOptions, ParseResult } from './compile.js';
export type { AuthorizationRequest } from './request.js';
export { isTrustRequest } from './request.js';
export { evaluate } from './evaluate.js';
export type { Decision, HardRule, Layer, MatchedStatement, Outcome, PolicySet } from './evaluate.js';
export { explain } from './explain.js';
export type {
  ConditionExplanation,
  Explanation,
  FailedCondition,
  LayerExplanation,
  PolicyExplanation,
  StatementExplanation,
} from './explain.js';
export { accessDeniedMessage } from './messages.js';
export { CASE_FILE_FORMAT, buildPolicySet, runPolicyCase, runPolicyCases, validatePolicyCaseFile } from './cases.js';
export type { CaseFileValidation, CaseResult, CaseRunReport, PolicyCase, PolicyCaseFile } from './cases.js';
export { lintPolicy, createServiceCatalog } from './lint/index.js';
export type { ActionInfo, Finding, FindingType, LintOptions, ServiceCatalog, ServiceInfo } from './lint/index.js';
export { loadIamDataCatalog } from './lint/iam-data-catalog.js';
