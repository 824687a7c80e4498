import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobTokens, tokenizeGlob } from '../../src/policy/glob.js';
import { TemplateGlob, parseTemplate, resolveTemplate } from '../../src/policy/variables.js';

/** Reference semantics (§2.1) via a regular expression, for tests only. */
function reference(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${source}$`).test(value);
}

describe('glob (§2.1)', () => {
  const alphabet = fc.constantFrom('a', 'b', ':', '/', '*', '?');
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/'), maxLength: 12 });
  it('agrees with the reference on random patterns and values', () => {
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 10 }), text, (pattern, value) => {
        expect(compileGlob(pattern).matches(value)).toBe(reference(pattern, value));
      }),
      { seed: 11, numRuns: 20_000 },
    );
  });

  it('matches substrings by offset without slicing', () => {
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), text, text, text, (pattern, before, value, after) => {
        expect(compileGlob(pattern).matches(before + value + after, before.length, before.length + value.length)).toBe(reference(pattern, value));
      }),
      { seed: 12, numRuns: 5_000 },
    );
  });

  it('treats literal tokens as literal even when they contain * or ?', () => {
    expect(compileGlobTokens(['a*', 0]).matches('a*bc')).toBe(true);
    expect(compileGlobTokens(['a*', 0]).matches('abc')).toBe(false);
    expect(tokenizeGlob('a*b?c')).toEqual(['a', 0, 'b', 1, 'c']);
  });
});

describe('policy variable templates (§4)', () => {
  const lookup = (values: Record<string, string>) => ({ variable: (k: string) => values[k] });
  it('parses variables, defaults and specials; malformed ones stay text', () => {
    const t = parseTemplate("a/${aws:username}/${*}${?}${$}/${aws:PrincipalTag/team, 'none'}/${bad/${x");
    expect(t.hasVariables).toBe(true);
    expect(resolveTemplate(t, lookup({ 'aws:username': 'bob' }), false)).toBe('a/bob/*?$/none/${bad/${x');
    expect(resolveTemplate(t, lookup({}), false)).toBeUndefined();
    expect(resolveTemplate(parseTemplate('${a,b}'), lookup({}), false)).toBe('${a,b}');
  });
  it('substituted text and specials are literal in globs (§9 U10)', () => {
    const g = new TemplateGlob(parseTemplate('x/${v}/${*}*'), false);
    expect(g.resolve(lookup({ v: '*' }))!.matches('x/*/*anything')).toBe(true);
    expect(g.resolve(lookup({ v: '*' }))!.matches('x/y/*z')).toBe(false);
    expect(g.resolve(lookup({ v: '*' }))!.matches('x/*/z')).toBe(false);
    expect(g.resolve(lookup({}))).toBeUndefined();
  });
});
