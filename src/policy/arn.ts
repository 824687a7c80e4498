/**
 * ARN splitting and ARN pattern matching for `Resource`/`NotResource` (policy-evaluation.md §2.3)
 * and the ARN condition operators (§3.4).
 */

import { compileGlob, type Glob } from './glob.js';
import { TemplateGlob, parseTemplate, type Template, type TemplatePart, type VariableLookup } from './variables.js';

/**
 * Offsets of the first five `:` of an ARN (so field 6, the resource, may itself contain `:`), or
 * undefined if the value has fewer than six fields.
 */
export function arnColons(value: string): readonly number[] | undefined {
  const offsets: number[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const at = value.indexOf(':', from);
    if (at < 0) return undefined;
    offsets.push(at);
    from = at + 1;
  }
  return offsets;
}

/** The account field of an ARN (`""` for S3 buckets, IAM has it), or undefined if not an ARN. */
export function arnAccount(value: string): string | undefined {
  const colons = arnColons(value);
  if (!colons) return undefined;
  return value.slice(colons[3]! + 1, colons[4]!);
}

/** A request resource, split at most once per evaluation. */
export class RequestResource {
  private split: readonly number[] | undefined | null = null;
  constructor(readonly value: string) {}
  get colons(): readonly number[] | undefined {
    if (this.split === null) this.split = arnColons(this.value);
    return this.split;
  }
}

/** Start and end offsets of field `i` (0-based) of a split ARN. */
function fieldStart(colons: readonly number[], i: number): number {
  return i === 0 ? 0 : colons[i - 1]! + 1;
}
function fieldEnd(value: string, colons: readonly number[], i: number): number {
  return i === 5 ? value.length : colons[i]!;
}

export interface ResourcePattern {
  readonly source: string;
  readonly hasVariables: boolean;
  matches(resource: RequestResource, lookup: VariableLookup): boolean;
}

/**
 * Compiles one `Resource`/`NotResource` entry. Variables are substituted only in the resource
 * field (after the fifth `:`); a `${` earlier in the ARN is literal text (§4, §9 U22).
 */
export function compileResourcePattern(source: string, variables: boolean): ResourcePattern {
  if (source === '*') return { source, hasVariables: false, matches: () => true };
  const colons = arnColons(source);
  if (colons) {
    const resourceField = source.slice(colons[4]! + 1);
    const template = variables ? parseTemplate(resourceField) : literalTemplate(resourceField);
    const last = new TemplateGlob(template, false);
    const head = source.slice(0, colons[4]! + 1);
    if (!head.includes('*') && !head.includes('?')) return new PrefixedArnPattern(source, head, last, template.hasVariables);
    const fields: Glob[] = [];
    for (let i = 0; i < 5; i++) fields.push(compileGlob(source.slice(fieldStart(colons, i), colons[i]!)));
    return new FieldArnPattern(source, fields, last, template.hasVariables);
  }
  // Fewer than six fields: only a trailing `*` in the last field lets it span the remaining fields
  // (docs: a `*` at the end of a segment can expand beyond colon boundaries).
  if (!source.endsWith('*')) return { source, hasVariables: false, matches: () => false };
  const raw = source.split(':');
  const fields = raw.slice(0, -1).map((f) => compileGlob(f));
  const rest = compileGlob(raw[raw.length - 1]!);
  return new ShortArnPattern(source, fields, rest);
}

function literalTemplate(text: string): Template {
  return { source: text, parts: text ? [{ text, fromSpecial: false }] : [], hasVariables: false };
}

/** Fields 1–5 are plain text: the request must start with exactly that text. */
class PrefixedArnPattern implements ResourcePattern {
  constructor(
    readonly source: string,
    private readonly head: string,
    private readonly last: TemplateGlob,
    readonly hasVariables: boolean,
  ) {}
  matches(resource: RequestResource, lookup: VariableLookup): boolean {
    const value = resource.value;
    // `head` holds exactly five colons, so a value starting with it has the same first five fields.
    if (!value.startsWith(this.head)) return false;
    const glob = this.last.resolve(lookup);
    return glob !== undefined && glob.matches(value, this.head.length, value.length);
  }
}

class FieldArnPattern implements ResourcePattern {
  constructor(
    readonly source: string,
    private readonly fields: readonly Glob[],
    private readonly last: TemplateGlob,
    readonly hasVariables: boolean,
  ) {}
  matches(resource: RequestResource, lookup: VariableLookup): boolean {
    const colons = resource.colons;
    if (!colons) return false;
    const value = resource.value;
    for (let i = 0; i < 5; i++) {
      if (!this.fields[i]!.matches(value, fieldStart(colons, i), colons[i]!)) return false;
    }
    const glob = this.last.resolve(lookup);
    return glob !== undefined && glob.matches(value, colons[4]! + 1, value.length);
  }
}

class ShortArnPattern implements ResourcePattern {
  readonly hasVariables = false;
  constructor(
    readonly source: string,
    private readonly fields: readonly Glob[],
    private readonly rest: Glob,
  ) {}
  matches(resource: RequestResource): boolean {
    const colons = resource.colons;
    if (!colons) return false;
    const value = resource.value;
    const n = this.fields.length;
    for (let i = 0; i < n; i++) {
      if (!this.fields[i]!.matches(value, fieldStart(colons, i), fieldEnd(value, colons, i))) return false;
    }
    return this.rest.matches(value, fieldStart(colons, n), value.length);
  }
}

/**
 * An ARN condition value (`ArnEquals`/`ArnLike` and negations, §3.4): six fields, each globbed
 * case-sensitively; unlike `StringLike`, a `*` in fields 1–5 cannot consume `:`. Variables are
 * opaque units while splitting, so `${aws:PrincipalAccount}` does not add a field.
 */
export class ArnConditionPattern {
  private readonly fields: readonly TemplateGlob[] | undefined;

  constructor(template: Template) {
    const fields: TemplatePart[][] = [[]];
    for (const part of template.parts) {
      if ('variable' in part || part.fromSpecial) {
        fields[fields.length - 1]!.push(part);
        continue;
      }
      let text = part.text;
      for (;;) {
        const at = fields.length < 6 ? text.indexOf(':') : -1;
        if (at < 0) break;
        if (at > 0) fields[fields.length - 1]!.push({ text: text.slice(0, at), fromSpecial: false });
        fields.push([]);
        text = text.slice(at + 1);
      }
      if (text) fields[fields.length - 1]!.push({ text, fromSpecial: false });
    }
    // Fewer than six fields never match (§9 U19).
    this.fields =
      fields.length === 6
        ? fields.map((parts) => new TemplateGlob({ source: '', parts, hasVariables: parts.some((p) => 'variable' in p) }, false))
        : undefined;
  }

  /** True/false, or undefined when a variable has no value. */
  matches(value: string, lookup: VariableLookup): boolean | undefined {
    if (!this.fields) return false;
    const colons = arnColons(value);
    if (!colons) return false;
    for (let i = 0; i < 6; i++) {
      const glob = this.fields[i]!.resolve(lookup);
      if (!glob) return undefined;
      if (!glob.matches(value, fieldStart(colons, i), fieldEnd(value, colons, i))) return false;
    }
    return true;
  }
}
