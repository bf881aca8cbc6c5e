import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_CONTENT_BYTES, checkSnek, snekSchema } from '@snek/core';

// checkSnek is the import's fast path for snekSchema: it must accept exactly what the schema accepts and give the same
// value, key order included (stores and exports write sneks as JSON). Here, beside the server's other property tests,
// because fast-check is the server's.
const viaZod = (value: unknown) => snekSchema.safeParse(value).data;

function expectSame(value: unknown) {
  const fast = checkSnek(value);
  const zod = viaZod(value);
  expect({ value, fast }).toStrictEqual({ value, fast: zod });
  if (fast !== undefined) {
    expect(Object.keys(fast)).toEqual(Object.keys(zod!));
    expect(fast).not.toBe(value);
  }
}

// Pieces at every edge the schema draws: slug characters, C0 and C1 controls with tab and newline, DEL, lone and paired
// surrogates, multi-byte UTF-8, a BOM, line separators.
const PIECES = ['a', 'z', '0', '9', 'A', '-', '.', '_', ' ', '/', '\\', '%', '"', '\t', '\n', '\r', '\u0000', '\u001b', '\u007f', '\u0080', '\u0085', '\u009f', '\u00a0', 'é', '€', '\u{1F40D}', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFEFF', '\u2028', '\u0301'];
const piece = fc.constantFrom(...PIECES);
const pieced = (maxLength: number) => fc.array(piece, { maxLength }).map((parts) => parts.join(''));
// A character repeated to just under, at or just over a limit: 1-, 2-, 3- and 4-byte UTF-8, and a lone surrogate.
const atLimit = (limit: number) =>
  fc
    .tuple(fc.constantFrom('x', 'é', '€', '\u{1F40D}', '\uD800'), fc.integer({ min: -2, max: 2 }), fc.constantFrom('', 'a', '\n'))
    .map(([char, delta, tail]) => char.repeat(Math.max(0, Math.floor(limit / Buffer.byteLength(char, 'utf8')) + delta)) + tail);
const text = (maxLength: number) => fc.oneof(pieced(maxLength), fc.string({ maxLength }), fc.string({ maxLength, unit: 'binary' }), fc.string({ maxLength, unit: 'grapheme' }));
const slugish = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'snek-0000001', 'a.b', 'x_9', 'x'.repeat(64), 'x'.repeat(65), '-a', 'a-', '..', 'A', 'é', '') }, { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,66}$/) }, text(8));
const notString = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant(['a']), fc.double());
const field = (strings: fc.Arbitrary<string>) => fc.oneof({ weight: 8, arbitrary: strings }, { weight: 1, arbitrary: notString });
const names = fc.oneof(text(12), fc.constantFrom('Snek', 'n'.repeat(100), 'n'.repeat(101), '🐍'.repeat(50), '🐍'.repeat(51)), atLimit(100));
const contents = fc.oneof(text(40), fc.constantFrom('~~~<\n', '\tart\n'), atLimit(MAX_CONTENT_BYTES), atLimit(MAX_CONTENT_BYTES / 3));
const extraKey = fc.constantFrom('extra', 'ID', 'constructor', 'toString', 'change', '');
const record = fc
  .tuple(
    fc.record({ id: field(slugish), name: field(names), type: field(slugish), content: field(contents) }, { requiredKeys: [] }),
    fc.option(fc.tuple(extraKey, fc.jsonValue()), { nil: undefined }),
    fc.boolean(),
  )
  .map(([fields, extra, reversed]) => {
    const entries = Object.entries(fields);
    if (extra) entries.push(extra);
    // Built as JSON.parse builds it, in any key order.
    return Object.fromEntries(reversed ? entries.reverse() : entries) as Record<string, unknown>;
  });

describe('checkSnek', () => {
  it('gives what snekSchema gives for random and hostile records, or undefined where it fails', () => {
    fc.assert(fc.property(record, (value) => expectSame(value)), { numRuns: 5000 });
  });

  it('gives what snekSchema gives for any JSON and any value', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (value) => expectSame(value)), { numRuns: 2000 });
  });

  it.each([
    ['a valid snek', { id: 'cute', name: 'Cute', type: 'cute', content: '~~~>\n' }],
    ['keys in another order', { content: '~\n', type: 'cute', name: 'Cute', id: 'cute' }],
    ['content of exactly 64 KiB of UTF-8', { id: 'a', name: 'n', type: 't', content: `${'€'.repeat(21845)}x` }],
    ['content one byte over 64 KiB', { id: 'a', name: 'n', type: 't', content: `${'€'.repeat(21845)}xy` }],
    ['content of 64 KiB in lone surrogates', { id: 'a', name: 'n', type: 't', content: '\uD800'.repeat(21846) }],
    ['a name of 100 characters', { id: 'a', name: 'n'.repeat(100), type: 't', content: 'c' }],
    ['a name holding a C1 control', { id: 'a', name: 'a\u0085b', type: 't', content: 'c' }],
    ['content holding CRLF', { id: 'a', name: 'n', type: 't', content: 'a\r\nb' }],
    ['content holding tab and newline', { id: 'a', name: 'n', type: 't', content: '\ta\n' }],
    ['a name with a paired surrogate', { id: 'a', name: '\u{1F40D}', type: 't', content: 'c' }],
    ['a lone surrogate in content', { id: 'a', name: 'n', type: 't', content: 'a\uDC00' }],
    ['an id of undefined', { id: undefined, name: 'n', type: 't', content: 'c' }],
    ['an extra key of undefined', { id: 'a', name: 'n', type: 't', content: 'c', extra: undefined }],
    ['an own __proto__ key, as JSON.parse makes it', JSON.parse('{"id":"a","name":"n","type":"t","content":"c","__proto__":{"x":1}}')],
    ['an array', ['a']],
    ['null', null],
    ['a string', 'snek'],
  ])('gives what snekSchema gives for %s', (_label, value) => {
    expectSame(value);
  });

  it('gives what snekSchema gives for a record with an inherited enumerable key', () => {
    const inherited = Object.create({ extra: 1 }) as Record<string, unknown>;
    Object.assign(inherited, { id: 'a', name: 'n', type: 't', content: 'c' });
    expectSame(inherited);
    const fromPrototype = Object.create({ id: 'a', name: 'n', type: 't', content: 'c' }) as object;
    expectSame(fromPrototype);
  });
});
