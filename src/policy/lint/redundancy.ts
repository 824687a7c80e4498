/** SUGGESTION findings for statements another statement of the same policy already covers. */

import type { PatternElement, PolicyStatement } from '../ast.js';
import { finding, type Finding } from './finding.js';
import { patternCovers } from './patterns.js';

export function redundancyFindings(statements: readonly PolicyStatement[]): Finding[] {
  const out: Finding[] = [];
  statements.forEach((s, j) => {
    const coveredBy = statements.find((other, i) => i !== j && covers(other, s) && (!covers(s, other) || i < j));
    if (coveredBy) {
      const name = (x: PolicyStatement) => (x.sid ? `statement ${x.index} (${x.sid})` : `statement ${x.index}`);
      out.push(
        finding(
          'SUGGESTION',
          'REDUNDANT_STATEMENT',
          `${name(s)} grants nothing that ${name(coveredBy)} does not already ${s.effect === 'Allow' ? 'allow' : 'deny'}.`,
          s.path,
          `Remove ${name(s)} or merge it into ${name(coveredBy)}.`,
        ),
      );
    }
  });
  return out;
}

/** Does `outer` apply to every request `inner` applies to (same effect)? Conservative. */
function covers(outer: PolicyStatement, inner: PolicyStatement): boolean {
  if (outer.effect !== inner.effect) return false;
  if (JSON.stringify(outer.principal ?? null) !== JSON.stringify(inner.principal ?? null)) return false;
  // `outer` must be unconditional, or carry exactly the same conditions.
  if (outer.condition.length > 0 && JSON.stringify(stripPaths(outer)) !== JSON.stringify(stripPaths(inner))) return false;
  if (!elementCovers(outer.action, inner.action, true)) return false;
  if (outer.resource === undefined || inner.resource === undefined) return outer.resource === undefined && inner.resource === undefined;
  return elementCovers(outer.resource, inner.resource, false);
}

function stripPaths(s: PolicyStatement): unknown {
  return s.condition.map((b) => [b.operator.name, b.clauses.map((c) => [c.key.toLowerCase(), c.values])]);
}

function elementCovers(outer: PatternElement, inner: PatternElement, caseInsensitive: boolean): boolean {
  if (outer.negated || inner.negated) {
    // NotX covers NotY when every excluded value of X is also excluded by Y... keep it simple: identical lists.
    return outer.negated === inner.negated && JSON.stringify([...outer.values].sort()) === JSON.stringify([...inner.values].sort());
  }
  return inner.values.every((v) => outer.values.some((o) => patternCovers(o, v, caseInsensitive)));
}
