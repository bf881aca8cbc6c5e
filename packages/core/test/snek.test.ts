import { describe, expect, it } from '@jest/globals';
import { MAX_CONTENT_BYTES, slugify, snekSchema } from '../src/index.js';

const valid = { id: 'cute', name: 'Cute Snek', type: 'cute', content: '~~~~>\n' };

describe('snekSchema', () => {
  it('accepts a well-formed snek', () => {
    expect(snekSchema.parse(valid)).toEqual(valid);
  });

  it.each(['a', 'a1', 'a.b', 'a_b-c', 'x'.repeat(64)])('accepts the slug %p as id and type', (slug) => {
    expect(snekSchema.safeParse({ ...valid, id: slug, type: slug }).success).toBe(true);
  });

  it.each(['', 'A', '-a', 'a-', '.a', 'a/b', '..', 'a b', 'x'.repeat(65), 'é'])('rejects the id %p', (id) => {
    expect(snekSchema.safeParse({ ...valid, id }).success).toBe(false);
  });

  it('rejects names that are empty, too long or hold control characters', () => {
    for (const name of ['', 'n'.repeat(101), 'a\u0007b', 'a\nb', 'a\u009bb']) {
      expect(snekSchema.safeParse({ ...valid, name }).success).toBe(false);
    }
    expect(snekSchema.safeParse({ ...valid, name: 'n'.repeat(100) }).success).toBe(true);
  });

  it('limits content to 64 KiB of UTF-8, counted in bytes', () => {
    expect(snekSchema.safeParse({ ...valid, content: 'x'.repeat(MAX_CONTENT_BYTES) }).success).toBe(true);
    expect(snekSchema.safeParse({ ...valid, content: 'x'.repeat(MAX_CONTENT_BYTES + 1) }).success).toBe(false);
    // 'é' is two bytes: half as many characters reach the limit.
    expect(snekSchema.safeParse({ ...valid, content: 'é'.repeat(MAX_CONTENT_BYTES / 2 + 1) }).success).toBe(false);
  });

  it('allows tab and newline in content but no other control character', () => {
    expect(snekSchema.safeParse({ ...valid, content: 'a\tb\nc' }).success).toBe(true);
    for (const bad of ['\r\n', '\u001b[31m', '\u0000', '\u007f']) {
      expect(snekSchema.safeParse({ ...valid, content: `a${bad}b` }).success).toBe(false);
    }
  });

  it('rejects unknown keys', () => {
    expect(snekSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
  });
});

describe('slugify', () => {
  it.each([
    ['My Snek', 'my-snek'],
    ['  Fancy   Snek! ', 'fancy-snek'],
    ['Crème Brûlée', 'creme-brulee'],
    ['v1.2_beta', 'v1.2_beta'],
    ['!!!', ''],
  ])('slugify(%p) is %p', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('always gives a valid id or nothing', () => {
    for (const name of ['-a-', 'x'.repeat(200), '日本', 'a..b']) {
      const slug = slugify(name);
      expect(slug === '' || snekSchema.shape.id.safeParse(slug).success).toBe(true);
    }
  });
});
