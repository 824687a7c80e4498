/**
 * Wildcard matching without regular expressions (policy-evaluation.md §2.1).
 *
 * `*` matches any sequence (also empty, also `:` and `/`), `?` exactly one UTF-16 code unit, every
 * other character itself; the whole value must match. A pattern is compiled once into literal
 * groups separated by stars; matching then anchors the first and last group and finds each middle
 * group at its leftmost position, which is linear in the value for the common shapes and never
 * backtracks exponentially.
 */

/** A glob token: literal text, or one of the two wildcards. */
export type GlobToken = string | typeof STAR | typeof ONE;
export const STAR = 0;
export const ONE = 1;

interface LiteralPart {
  readonly offset: number;
  readonly text: string;
}

/** A run of literals and `?` between two stars: fixed length. */
interface Group {
  readonly length: number;
  readonly parts: readonly LiteralPart[];
}

export interface Glob {
  /** True if `value.slice(from, to)` matches the whole pattern. */
  matches(value: string, from?: number, to?: number): boolean;
  /** The pattern has no wildcard: it equals this text. */
  readonly literal: string | undefined;
  /** The pattern is a single `*`. */
  readonly matchesEverything: boolean;
}

/** Splits a pattern written in a policy into literal text and wildcards. */
export function tokenizeGlob(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  let literalStart = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 0x2a || c === 0x3f) {
      if (i > literalStart) tokens.push(pattern.slice(literalStart, i));
      tokens.push(c === 0x2a ? STAR : ONE);
      literalStart = i + 1;
    }
  }
  if (literalStart < pattern.length) tokens.push(pattern.slice(literalStart));
  return tokens;
}

export function compileGlob(pattern: string): Glob {
  return compileGlobTokens(tokenizeGlob(pattern));
}

export function compileGlobTokens(tokens: readonly GlobToken[]): Glob {
  const groups: Group[] = [];
  let parts: LiteralPart[] = [];
  let length = 0;
  let hasStar = false;
  for (const token of tokens) {
    if (token === STAR) {
      groups.push({ length, parts });
      parts = [];
      length = 0;
      hasStar = true;
    } else if (token === ONE) {
      length++;
    } else if (token.length > 0) {
      const previous = parts[parts.length - 1];
      if (previous && previous.offset + previous.text.length === length) {
        parts[parts.length - 1] = { offset: previous.offset, text: previous.text + token };
      } else {
        parts.push({ offset: length, text: token });
      }
      length += token.length;
    }
  }
  groups.push({ length, parts });
  if (!hasStar) {
    const only = groups[0]!;
    const first = only.parts[0];
    if (only.parts.length === 1 && first && first.offset === 0 && first.text.length === only.length) return new LiteralGlob(first.text);
    if (only.length === 0) return new LiteralGlob('');
    return new GroupGlob(groups, false);
  }
  if (groups.every((g) => g.length === 0)) return MATCH_EVERYTHING;
  return new GroupGlob(groups, true);
}

class LiteralGlob implements Glob {
  readonly matchesEverything = false;
  constructor(readonly literal: string) {}
  matches(value: string, from = 0, to = value.length): boolean {
    return to - from === this.literal.length && value.startsWith(this.literal, from);
  }
}

const MATCH_EVERYTHING: Glob = {
  literal: undefined,
  matchesEverything: true,
  matches: () => true,
};

class GroupGlob implements Glob {
  readonly literal = undefined;
  readonly matchesEverything = false;
  private readonly minLength: number;

  constructor(
    private readonly groups: readonly Group[],
    private readonly hasStar: boolean,
  ) {
    this.minLength = groups.reduce((sum, g) => sum + g.length, 0);
  }

  matches(value: string, from = 0, to = value.length): boolean {
    const groups = this.groups;
    const first = groups[0]!;
    if (!this.hasStar) return to - from === first.length && groupAt(first, value, from);
    if (to - from < this.minLength) return false;
    if (!groupAt(first, value, from)) return false;
    const last = groups[groups.length - 1]!;
    const lastStart = to - last.length;
    if (!groupAt(last, value, lastStart)) return false;
    let position = from + first.length;
    for (let i = 1; i < groups.length - 1; i++) {
      const group = groups[i]!;
      const found = findGroup(group, value, position, lastStart);
      if (found < 0) return false;
      position = found + group.length;
    }
    return true;
  }
}

function groupAt(group: Group, value: string, at: number): boolean {
  const parts = group.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!value.startsWith(part.text, at + part.offset)) return false;
  }
  return true;
}

/** Leftmost `p` in `[from, limit - group.length]` where the group matches, or -1. */
function findGroup(group: Group, value: string, from: number, limit: number): number {
  const last = limit - group.length;
  if (from > last) return -1;
  const anchor = group.parts[0];
  if (!anchor) return from;
  let index = value.indexOf(anchor.text, from + anchor.offset);
  while (index >= 0) {
    const start = index - anchor.offset;
    if (start > last) return -1;
    if (groupAt(group, value, start)) return start;
    index = value.indexOf(anchor.text, index + 1);
  }
  return -1;
}

/** Convenience for tools that match once (linting); hot paths compile once and reuse. */
export function globMatches(pattern: string, value: string): boolean {
  return compileGlob(pattern).matches(value);
}
