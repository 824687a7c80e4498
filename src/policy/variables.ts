/**
 * Policy variables (policy-evaluation.md §4): `${key}`, `${key, 'default'}` and the specials
 * `${*}`, `${?}`, `${$}`. Only in `Version: 2012-10-17` documents; elsewhere `${…}` is plain text.
 *
 * A template is parsed once into literal text and variable references. Substituted text is always
 * literal: it is never re-expanded and never acts as a wildcard (§4, §9 U10).
 */

import { compileGlobTokens, tokenizeGlob, type Glob, type GlobToken } from './glob.js';

export interface VariableRef {
  /** The key as written, e.g. `aws:PrincipalTag/team`. */
  readonly key: string;
  /** Lower-cased key: variable names are case-insensitive. */
  readonly lookupKey: string;
  /** Text used when the key is absent (`${key, 'default'}`). */
  readonly defaultValue?: string;
}

/** Literal text (which may still contain glob wildcards written in the policy) or a variable. */
export type TemplatePart = { readonly text: string; readonly fromSpecial: boolean } | { readonly variable: VariableRef };

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  readonly hasVariables: boolean;
}

/** Looks up a single-valued context value; undefined if absent or multivalued (§9 U23). */
export interface VariableLookup {
  variable(lookupKey: string): string | undefined;
}

const SPECIALS: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/** `${` … `}` with an optional `, 'default'`; the separator is exactly comma + space (§4). */
const DEFAULT_FORM = /^([^,']*), '([^']*)'$/;

export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let hasVariables = false;
  let cursor = 0;
  let literal = '';
  for (;;) {
    const open = source.indexOf('${', cursor);
    if (open < 0) break;
    const close = source.indexOf('}', open + 2);
    if (close < 0) break;
    const inner = source.slice(open + 2, close);
    const special = SPECIALS[inner];
    if (special !== undefined) {
      literal += source.slice(cursor, open);
      if (literal) parts.push({ text: literal, fromSpecial: false });
      literal = '';
      parts.push({ text: special, fromSpecial: true });
      cursor = close + 1;
      continue;
    }
    let variable: VariableRef | undefined;
    const withDefault = DEFAULT_FORM.exec(inner);
    if (withDefault) {
      const key = withDefault[1]!;
      variable = { key, lookupKey: key.toLowerCase(), defaultValue: withDefault[2]! };
    } else if (!inner.includes(',') && !inner.includes('${')) {
      variable = { key: inner, lookupKey: inner.toLowerCase() };
    }
    if (!variable) {
      // Not a well-formed variable: keep the `${` as text and continue after it.
      literal += source.slice(cursor, open + 2);
      cursor = open + 2;
      continue;
    }
    literal += source.slice(cursor, open);
    if (literal) parts.push({ text: literal, fromSpecial: false });
    literal = '';
    parts.push({ variable });
    hasVariables = true;
    cursor = close + 1;
  }
  literal += source.slice(cursor);
  if (literal) parts.push({ text: literal, fromSpecial: false });
  return { source, parts, hasVariables };
}

export function templateVariables(template: Template): VariableRef[] {
  const out: VariableRef[] = [];
  for (const part of template.parts) if ('variable' in part) out.push(part.variable);
  return out;
}

/** The template's text with variables substituted, or undefined if a variable has no value. */
export function resolveTemplate(template: Template, lookup: VariableLookup, fold: boolean): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if ('variable' in part) {
      const value = lookup.variable(part.variable.lookupKey) ?? part.variable.defaultValue;
      if (value === undefined) return undefined;
      out += fold ? value.toLowerCase() : value;
    } else {
      out += fold ? part.text.toLowerCase() : part.text;
    }
  }
  return out;
}

/**
 * A glob whose literal parts were tokenized at compile time; variables become literal tokens at
 * evaluation time, so no pattern is re-parsed and no RegExp is built per request. The glob for
 * the last variable values seen is kept, as consecutive requests usually come from one caller.
 */
export class TemplateGlob {
  private readonly tokens: readonly (GlobToken | VariableRef)[];
  private readonly variables: readonly VariableRef[];
  private readonly fold: boolean;
  /** Compiled once when the template has no variables. */
  readonly constant: Glob | undefined;
  private lastKey: string | undefined;
  private lastGlob: Glob | undefined;

  constructor(template: Template, fold: boolean) {
    const tokens: (GlobToken | VariableRef)[] = [];
    for (const part of template.parts) {
      if ('variable' in part) tokens.push(part.variable);
      else if (part.fromSpecial) tokens.push(fold ? part.text.toLowerCase() : part.text);
      else tokens.push(...tokenizeGlob(fold ? part.text.toLowerCase() : part.text));
    }
    this.tokens = tokens;
    this.variables = tokens.filter((t): t is VariableRef => typeof t === 'object');
    this.fold = fold;
    this.constant = template.hasVariables ? undefined : compileGlobTokens(tokens as GlobToken[]);
  }

  /** The glob for this request, or undefined if a variable has no value (matches nothing, §4). */
  resolve(lookup: VariableLookup): Glob | undefined {
    if (this.constant) return this.constant;
    const variables = this.variables;
    let key = '';
    for (let i = 0; i < variables.length; i++) {
      const v = variables[i]!;
      const value = lookup.variable(v.lookupKey) ?? v.defaultValue;
      if (value === undefined) return undefined;
      key = i === 0 ? value : `${key}\u0000${value}`;
    }
    if (key === this.lastKey && this.lastGlob) return this.lastGlob;
    const resolved: GlobToken[] = [];
    for (const token of this.tokens) {
      if (typeof token === 'object') {
        const value = lookup.variable(token.lookupKey) ?? token.defaultValue ?? '';
        resolved.push(this.fold ? value.toLowerCase() : value);
      } else {
        resolved.push(token);
      }
    }
    const glob = compileGlobTokens(resolved);
    this.lastKey = key;
    this.lastGlob = glob;
    return glob;
  }
}
