import { AwsError, validationError, type ConstraintViolation } from './errors.js';
import { escapeXml, writeXmlMembers, type XmlObject } from './xml.js';

/** Decoded Query parameters (form body or query string), names case-sensitive (query-protocol.md §1). */
export type QueryParams = ReadonlyMap<string, string>;

/** application/x-www-form-urlencoded: `+` is a space; a later duplicate key wins. */
export function decodeForm(text: string, into = new Map<string, string>()): Map<string, string> {
  if (text.length === 0) return into;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    into.set(decodeComponent(rawKey), decodeComponent(rawValue));
  }
  return into;
}

function decodeComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // AWS common errors: MalformedQueryString is a 404.
    throw new AwsError('MalformedQueryString', 'The query string contains a malformed percent-encoded sequence.');
  }
}

export function querySuccess(action: string, namespace: string, result: XmlObject | undefined, requestId: string): string {
  const out: string[] = [`<${action}Response xmlns="${namespace}">`];
  if (result !== undefined) {
    out.push(`<${action}Result>`);
    writeXmlMembers(out, result);
    out.push(`</${action}Result>`);
  }
  out.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  return out.join('');
}

/** query-protocol.md §3: RequestId is a sibling of Error, not inside ResponseMetadata. */
export function queryError(error: AwsError, namespace: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.fault}</Type><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

export interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Anchored pattern and the text AWS prints for it. */
  readonly pattern?: { readonly test: RegExp; readonly text: string };
}

export interface IntegerRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/**
 * Reads the members of one Query request and collects AWS-style constraint violations, thrown
 * together by `done()`. STS echoes the offending value in the message, IAM omits it
 * (sts-api.md §13, query-protocol.md §5).
 */
export class QueryInput {
  readonly #params: QueryParams;
  readonly #echoValues: boolean;
  readonly #violations: ConstraintViolation[] = [];

  constructor(params: QueryParams, options: { echoValues: boolean }) {
    this.#params = params;
    this.#echoValues = options.echoValues;
  }

  get params(): QueryParams {
    return this.#params;
  }

  violation(member: string, phrase: string, value?: string): void {
    this.#violations.push(this.#echoValues ? { member, phrase, value: value ?? 'null' } : { member, phrase });
  }

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(name: string, rule: StringRule = {}): string | undefined {
    return this.checkString(name, lowerCamel(name), this.#params.get(name), rule);
  }

  checkString(name: string, member: string, value: string | undefined, rule: StringRule): string | undefined {
    if (value === undefined) {
      if (rule.required) this.violation(member, 'Member must not be null');
      return undefined;
    }
    const length = [...value].length;
    if (rule.min !== undefined && length < rule.min) this.violation(member, `Member must have length greater than or equal to ${rule.min}`, value);
    else if (rule.max !== undefined && length > rule.max) this.violation(member, `Member must have length less than or equal to ${rule.max}`, value);
    if (rule.pattern && !rule.pattern.test.test(value)) this.violation(member, `Member must satisfy regular expression pattern: ${rule.pattern.text}`, value);
    return value;
  }

  integer(name: string, rule: IntegerRule = {}): number | undefined {
    const raw = this.#params.get(name);
    const member = lowerCamel(name);
    if (raw === undefined) {
      if (rule.required) this.violation(member, 'Member must not be null');
      return undefined;
    }
    if (!/^-?\d{1,15}$/.test(raw)) {
      throw new AwsError('ValidationError', `Invalid value for parameter ${name}: ${raw.slice(0, 64)}`);
    }
    const value = Number(raw);
    if (rule.min !== undefined && value < rule.min) this.violation(member, `Member must have value greater than or equal to ${rule.min}`, raw);
    else if (rule.max !== undefined && value > rule.max) this.violation(member, `Member must have value less than or equal to ${rule.max}`, raw);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.#params.get(name);
    if (raw === undefined) return undefined;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw new AwsError('ValidationError', `Invalid value for parameter ${name}: ${raw.slice(0, 64)}`);
  }

  /** `Name.member.1`, `Name.member.2`, …; `Name=` is an empty list; undefined when absent. */
  list(name: string): string[] | undefined {
    return readList(this.#params, name, (prefix) => this.#params.get(prefix));
  }

  /** `Name.member.N.Field` for each field. */
  structList<F extends string>(name: string, fields: readonly F[]): Array<Partial<Record<F, string>>> | undefined {
    return readList(this.#params, name, (prefix) => {
      const item: Partial<Record<F, string>> = {};
      let present = false;
      for (const field of fields) {
        const value = this.#params.get(`${prefix}.${field}`);
        if (value !== undefined) {
          item[field] = value;
          present = true;
        }
      }
      return present ? item : undefined;
    });
  }

  done(): void {
    if (this.#violations.length > 0) throw validationError(this.#violations);
  }
}

function readList<T>(params: QueryParams, name: string, read: (prefix: string) => T | undefined): T[] | undefined {
  const head = `${name}.member.`;
  // A Set, not Array#includes: a 1 MiB body holds ~40,000 indices, and a quadratic scan of them
  // blocked the event loop for seconds.
  const seen = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf('.');
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (Number.isInteger(index) && index > 0) seen.add(index);
  }
  if (seen.size === 0) return params.has(name) ? [] : undefined;
  const indices = [...seen].sort((a, b) => a - b);
  const items: T[] = [];
  for (let i = 0; i < indices.length; i++) {
    // query-protocol.md §1.1: indices must run 1..N without gaps.
    if (indices[i] !== i + 1) throw new AwsError('ValidationError', `Invalid list index for parameter ${name}: member.${indices[i]} without member.${i + 1}`);
    const item = read(`${head}${i + 1}`);
    if (item !== undefined) items.push(item);
  }
  return items;
}

/** `RoleSessionName` → `roleSessionName`, as AWS names members in validation messages. */
export function lowerCamel(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}
