/**
 * The typed, frozen policy AST (policy-evaluation.md §1). Produced once by `parse.ts`; everything
 * downstream (compiler, evaluator, explainer, linter) reads this and never the raw JSON again.
 */

export type PolicyKind = 'identity' | 'boundary' | 'session' | 'resource' | 'trust' | 'scp' | 'rcp';

export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type Effect = 'Allow' | 'Deny';

/** 1-based line and column, as IAM's SimulatePrincipalPolicy reports `StartPosition`/`EndPosition`. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export interface PolicyLabel {
  /** E.g. a policy ARN, `user/bob/inline/p1`, `trust`. */
  readonly id: string;
  readonly layer?: string;
  readonly name?: string;
  readonly version?: string;
}

export type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

export interface PrincipalEntry {
  readonly type: PrincipalType;
  readonly value: string;
  readonly path: string;
}

/** `Principal` or `NotPrincipal` (§1.4). The bare string `"*"` is `wildcard: true` with no entries. */
export interface PrincipalElement {
  readonly negated: boolean;
  readonly wildcard: boolean;
  readonly entries: readonly PrincipalEntry[];
  readonly path: string;
}

/** `Action`/`NotAction` or `Resource`/`NotResource`: a non-empty list of patterns. */
export interface PatternElement {
  readonly negated: boolean;
  readonly values: readonly string[];
  readonly path: string;
  /** JSON path of each value (`…Action[1]`, or the element's path for a single string). */
  readonly valuePaths: readonly string[];
}

export type BaseOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'NumericEquals'
  | 'NumericNotEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals'
  | 'DateEquals'
  | 'DateNotEquals'
  | 'DateLessThan'
  | 'DateLessThanEquals'
  | 'DateGreaterThan'
  | 'DateGreaterThanEquals'
  | 'Bool'
  | 'BinaryEquals'
  | 'IpAddress'
  | 'NotIpAddress'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Null';

export type SetQualifier = 'ForAllValues' | 'ForAnyValue';

export type ConditionOperator =
  | {
      readonly known: true;
      /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
      readonly name: string;
      readonly base: BaseOperator;
      readonly set?: SetQualifier;
      readonly ifExists: boolean;
    }
  | {
      /**
       * An operator IAM accepts only because its block is empty (recorded [valid-19, 31]). It has
       * no keys, but the evaluator still treats it as unknown and fails closed.
       */
      readonly known: false;
      readonly name: string;
    };

export interface ConditionClause {
  /** Context key as written (compared case-insensitively). */
  readonly key: string;
  /** Policy values as canonical strings (numbers and booleans converted, §1.1). */
  readonly values: readonly string[];
  readonly path: string;
}

export interface ConditionBlock {
  readonly operator: ConditionOperator;
  readonly clauses: readonly ConditionClause[];
  readonly path: string;
}

export interface PolicyStatement {
  /** 0-based position in the policy's statement list. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly principal?: PrincipalElement;
  readonly action: PatternElement;
  /** Absent only in resource-based and trust policies (= the resource the policy is attached to). */
  readonly resource?: PatternElement;
  readonly condition: readonly ConditionBlock[];
  /** `$.Statement[i]`, or `$.Statement` when the document has a single statement object. */
  readonly path: string;
  /** Where the statement's object starts and ends, in IAM's SimulatePrincipalPolicy convention. */
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}
