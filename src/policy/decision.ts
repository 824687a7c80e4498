/** The shape of an authorization decision (policy-evaluation.md §5), shared by evaluator and explainer. */

import type { Effect, PolicyLabel, SourcePosition } from './ast.js';

export type Layer = 'identity' | 'resource' | 'boundary' | 'session' | 'scp' | 'rcp';
export const LAYERS: readonly Layer[] = ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'];

export type Outcome = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface MatchedStatement {
  readonly policy: PolicyLabel;
  readonly layer: Layer;
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly start?: SourcePosition;
  readonly end?: SourcePosition;
}

/** Rules applied before policies (§5.5) that decide on their own. */
export type HardRule = 'RootCannotAssumeRole' | 'FederatedUserCannotAssumeRole' | 'UnknownPrincipal';

export interface Decision {
  readonly outcome: Outcome;
  /** The deciding statements: the explicit Deny, or the Allow statement each required layer used. */
  readonly matched: readonly MatchedStatement[];
  /** For ImplicitDeny: the layer that had no applicable Allow (`trust`: the role trust policy). */
  readonly missingLayer?: Layer | 'trust';
  readonly hardRule?: HardRule;
}
