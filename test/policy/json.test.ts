import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseJson, type JsonNode } from '../../src/policy/json.js';

/** The parsed tree as plain JSON, to compare with JSON.parse. */
function plain(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.members.map((m) => [m.key, plain(m.value)]));
    case 'array':
      return node.items.map(plain);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

describe('parseJson', () => {
  it('reads what JSON.parse reads (objects without repeated keys)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const parsed = parseJson(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(plain(parsed.value)).toEqual(JSON.parse(text));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('rejects what JSON.parse rejects, and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        let expected = true;
        try {
          JSON.parse(text);
        } catch {
          expected = false;
        }
        const parsed = parseJson(text);
        // JSON.parse accepts repeated keys; parseJson reports them.
        if (parsed.ok || parsed.error.problem !== 'duplicate-key') expect(parsed.ok).toBe(expected);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('reports a repeated key with its path and position', () => {
    const parsed = parseJson('{"Statement": [{"Effect": "Allow",\n "Effect": "Deny"}]}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.problem).toBe('duplicate-key');
      expect(parsed.error.path).toBe('$.Statement[0].Effect');
      expect(parsed.error.position).toMatchObject({ line: 2, column: 2 });
    }
  });

  it('rejects trailing commas, comments, single quotes, leading zeros, NaN', () => {
    for (const text of ['{"a": 1,}', '[1,]', '{"a": 1} // x', "{'a': 1}", '{"a": 01}', '{"a": NaN}', '{"a": "\t"}', '', ' ', '"\\x"'])
      expect(parseJson(text).ok, text).toBe(false);
  });

  it('records 1-based lines and columns of every value', () => {
    const parsed = parseJson('{\r\n  "a": [\n    {"b": 1}\n  ]\n}');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.value.kind !== 'object') return;
    const array = parsed.value.members[0]!.value;
    expect(array.start).toMatchObject({ line: 2, column: 8 });
    if (array.kind !== 'array') return;
    expect(array.items[0]!.start).toMatchObject({ line: 3, column: 5 });
    expect(array.items[0]!.end).toMatchObject({ line: 3, column: 13 });
  });

  it('stops at the depth limit instead of overflowing the stack', () => {
    expect(parseJson('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH)).ok).toBe(true);
    const deep = parseJson('['.repeat(1_000_000));
    expect(deep.ok).toBe(false);
    if (!deep.ok) expect(deep.error.problem).toBe('too-deep');
    expect(parseJson('{"a":'.repeat(100_000)).ok).toBe(false);
  });

  it('reads megabyte strings in linear time', () => {
    const big = 'x'.repeat(4_000_000);
    const start = performance.now();
    const parsed = parseJson(JSON.stringify({ a: big, b: '\\"'.repeat(100_000) }));
    expect(parsed.ok).toBe(true);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
