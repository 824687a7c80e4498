/**
 * A small strict JSON parser (RFC 8259) for policy documents.
 *
 * `JSON.parse` is not enough: IAM policies MUST NOT repeat a key in an object (policy grammar), and
 * `JSON.parse` silently keeps the last one; IAM's simulation APIs also report where each statement
 * starts and ends. This parser keeps every member in order, reports duplicates, records positions,
 * and is safe on hostile input: it never recurses deeper than `MAX_DEPTH`, runs in linear time and
 * never throws.
 */

/** A place in the document text. `line` and `column` are 1-based; `offset` is a 0-based UTF-16 index. */
export interface TextPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

interface NodeBase {
  /** Position of the first character of the value. */
  readonly start: TextPosition;
  /** Position just after the last character of the value. */
  readonly end: TextPosition;
}

export interface JsonObject extends NodeBase {
  readonly kind: 'object';
  readonly members: readonly JsonMember[];
}
export interface JsonMember {
  readonly key: string;
  readonly keyStart: TextPosition;
  readonly value: JsonNode;
}
export interface JsonArray extends NodeBase {
  readonly kind: 'array';
  readonly items: readonly JsonNode[];
}
export interface JsonString extends NodeBase {
  readonly kind: 'string';
  readonly value: string;
}
export interface JsonNumber extends NodeBase {
  readonly kind: 'number';
  /** The literal as written, e.g. `1.50`. */
  readonly text: string;
  readonly value: number;
}
export interface JsonBoolean extends NodeBase {
  readonly kind: 'boolean';
  readonly value: boolean;
}
export interface JsonNull extends NodeBase {
  readonly kind: 'null';
}
export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

export type JsonSyntaxProblem = 'invalid-json' | 'duplicate-key' | 'too-deep';

export interface JsonSyntaxError {
  readonly problem: JsonSyntaxProblem;
  /** Internal detail for logs and explanations; never an AWS message. */
  readonly detail: string;
  readonly position: TextPosition;
  /** JSON path of the innermost value being read when the error was found, e.g. `$.Statement[0]`. */
  readonly path: string;
}

export type JsonParseResult =
  | { readonly ok: true; readonly value: JsonNode }
  | { readonly ok: false; readonly error: JsonSyntaxError };

/**
 * Deepest nesting accepted. A valid policy nests at most 5 levels
 * (document → Statement[] → statement → Condition → operator → key → value[]); 64 leaves room for
 * other JSON documents while keeping the recursion bounded.
 */
export const MAX_DEPTH = 64;

class Failure {
  constructor(readonly error: JsonSyntaxError) {}
}

/** JSON path segment for an object key: `.Name` for identifiers, `["a:b"]` otherwise. */
export function pathKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function parseJson(text: string): JsonParseResult {
  const parser = new Parser(text);
  try {
    parser.skipWhitespace();
    const value = parser.parseValue(0, '$');
    parser.skipWhitespace();
    if (parser.pos < text.length) parser.fail('invalid-json', 'unexpected text after the JSON value', '$');
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: e.error };
    // Only a RangeError (out of memory/stack) can get here; report it as malformed input, never rethrow.
    return {
      ok: false,
      error: { problem: 'invalid-json', detail: 'document could not be read', position: { offset: 0, line: 1, column: 1 }, path: '$' },
    };
  }
}

class Parser {
  pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  position(): TextPosition {
    return { offset: this.pos, line: this.line, column: this.pos - this.lineStart + 1 };
  }

  fail(problem: JsonSyntaxProblem, detail: string, path: string): never {
    throw new Failure({ problem, detail, position: this.position(), path });
  }

  skipWhitespace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09) {
        this.pos++;
      } else if (c === 0x0a) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 0x0d) {
        this.pos++;
        if (text.charCodeAt(this.pos) === 0x0a) this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else {
        return;
      }
    }
  }

  parseValue(depth: number, path: string): JsonNode {
    if (depth > MAX_DEPTH) this.fail('too-deep', `nesting deeper than ${MAX_DEPTH}`, path);
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject(depth, path);
      case 0x5b: // [
        return this.parseArray(depth, path);
      case 0x22: {
        // "
        const start = this.position();
        const value = this.parseString(path);
        return { kind: 'string', value, start, end: this.position() };
      }
      case 0x74: // t
        return this.parseLiteral('true', path);
      case 0x66: // f
        return this.parseLiteral('false', path);
      case 0x6e: // n
        return this.parseLiteral('null', path);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber(path);
        return this.fail('invalid-json', Number.isNaN(c) ? 'unexpected end of document' : 'unexpected character', path);
    }
  }

  private parseLiteral(word: 'true' | 'false' | 'null', path: string): JsonNode {
    const start = this.position();
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid-json', 'unexpected character', path);
    this.pos += word.length;
    const end = this.position();
    return word === 'null' ? { kind: 'null', start, end } : { kind: 'boolean', value: word === 'true', start, end };
  }

  private parseObject(depth: number, path: string): JsonObject {
    const start = this.position();
    this.pos++; // {
    const members: JsonMember[] = [];
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return { kind: 'object', members, start, end: this.position() };
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('invalid-json', 'expected a string key', path);
      const keyStart = this.position();
      const key = this.parseString(path);
      const memberPath = path + pathKey(key);
      if (seen.has(key)) {
        this.pos = keyStart.offset;
        this.line = keyStart.line;
        this.lineStart = keyStart.offset - keyStart.column + 1;
        this.fail('duplicate-key', `duplicate key ${JSON.stringify(key)}`, memberPath);
      }
      seen.add(key);
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('invalid-json', 'expected ":"', memberPath);
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue(depth + 1, memberPath);
      members.push({ key, keyStart, value });
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d) {
        this.pos++;
        return { kind: 'object', members, start, end: this.position() };
      } else {
        this.fail('invalid-json', 'expected "," or "}"', path);
      }
    }
  }

  private parseArray(depth: number, path: string): JsonArray {
    const start = this.position();
    this.pos++; // [
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return { kind: 'array', items, start, end: this.position() };
    }
    for (;;) {
      items.push(this.parseValue(depth + 1, `${path}[${items.length}]`));
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x5d) {
        this.pos++;
        return { kind: 'array', items, start, end: this.position() };
      } else {
        this.fail('invalid-json', 'expected "," or "]"', path);
      }
    }
  }

  private parseString(path: string): string {
    const text = this.text;
    this.pos++; // opening quote
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(chunkStart, this.pos);
        out += this.parseEscape(path);
        chunkStart = this.pos;
        continue;
      }
      if (Number.isNaN(c)) this.fail('invalid-json', 'unterminated string', path);
      // RFC 8259 §7: control characters must be escaped inside strings.
      if (c < 0x20) this.fail('invalid-json', 'unescaped control character in string', path);
      this.pos++;
    }
  }

  private parseEscape(path: string): string {
    const text = this.text;
    const c = text.charCodeAt(this.pos + 1);
    this.pos += 2;
    switch (c) {
      case 0x22:
        return '"';
      case 0x5c:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75: {
        let code = 0;
        for (let i = 0; i < 4; i++) {
          const h = hexValue(text.charCodeAt(this.pos + i));
          if (h < 0) this.fail('invalid-json', 'invalid \\u escape', path);
          code = code * 16 + h;
        }
        this.pos += 4;
        return String.fromCharCode(code);
      }
      default:
        this.pos -= 2;
        return this.fail('invalid-json', 'invalid escape', path);
    }
  }

  private parseNumber(path: string): JsonNumber {
    const text = this.text;
    const start = this.position();
    const begin = this.pos;
    if (text.charCodeAt(this.pos) === 0x2d) this.pos++;
    const first = text.charCodeAt(this.pos);
    if (first === 0x30) {
      this.pos++;
    } else if (first >= 0x31 && first <= 0x39) {
      while (isDigit(text.charCodeAt(this.pos))) this.pos++;
    } else {
      this.fail('invalid-json', 'invalid number', path);
    }
    if (text.charCodeAt(this.pos) === 0x2e) {
      this.pos++;
      if (!isDigit(text.charCodeAt(this.pos))) this.fail('invalid-json', 'invalid number', path);
      while (isDigit(text.charCodeAt(this.pos))) this.pos++;
    }
    const e = text.charCodeAt(this.pos);
    if (e === 0x65 || e === 0x45) {
      this.pos++;
      const sign = text.charCodeAt(this.pos);
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      if (!isDigit(text.charCodeAt(this.pos))) this.fail('invalid-json', 'invalid number', path);
      while (isDigit(text.charCodeAt(this.pos))) this.pos++;
    }
    const literal = text.slice(begin, this.pos);
    return { kind: 'number', text: literal, value: Number(literal), start, end: this.position() };
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
