import { z } from 'zod';

/** Ids and types: lower-case slugs of 1–64 characters that start and end with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
export const MAX_NAME_LENGTH = 100;
/** The art's limit, in UTF-8 bytes. */
export const MAX_CONTENT_BYTES = 64 * 1024;

// \p{Cc} is every C0/C1 control character; art may keep only tab and newline.
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_TAB_NEWLINE = /[^\P{Cc}\t\n]/u;
// In a u-mode regex \p{Cs} matches only unpaired surrogates: text that is not valid Unicode.
const LONE_SURROGATE = /\p{Cs}/u;

export const slugSchema = z
  .string()
  .regex(SLUG_PATTERN, 'must be a slug: 1–64 of a-z, 0-9, ".", "_", "-", starting and ending with a letter or digit');

export const snekNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
  .refine((name) => !CONTROL.test(name), 'must not contain control characters')
  .refine((name) => !LONE_SURROGATE.test(name), 'must be well-formed Unicode (no lone surrogates)');

export const snekContentSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((content) => Buffer.byteLength(content, 'utf8') <= MAX_CONTENT_BYTES, `must be at most ${MAX_CONTENT_BYTES} bytes of UTF-8`)
  .refine((content) => !CONTROL_EXCEPT_TAB_NEWLINE.test(content), 'must not contain control characters other than tab and newline (convert CRLF line ends to LF)')
  .refine((content) => !LONE_SURROGATE.test(content), 'must be well-formed Unicode (no lone surrogates)');

/** What a client sends to create or replace a snek; the id comes from the URL. */
export const snekBodySchema = z.strictObject({
  name: snekNameSchema,
  type: slugSchema,
  content: snekContentSchema,
});

export const snekSchema = z.strictObject({
  id: slugSchema,
  name: snekNameSchema,
  type: slugSchema,
  content: snekContentSchema,
});

/**
 * What `snekSchema.safeParse(value).data` is, a new `{ id, name, type, content }` or `undefined`, without zod's cost per
 * record: an import checks a million (about half the time, and none of zod's garbage). It gives no reason: for that,
 * parse a failed value with `snekSchema`. packages/server/test/snek-check.test.ts holds it equal to the schema.
 */
export function checkSnek(value: unknown): Snek | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const { id, name, type, content } = record;
  if (typeof id !== 'string' || !SLUG_PATTERN.test(id) || typeof type !== 'string' || !SLUG_PATTERN.test(type)) return undefined;
  if (typeof name !== 'string' || name.length < 1 || !fitsNameLength(name) || CONTROL.test(name) || LONE_SURROGATE.test(name)) return undefined;
  if (typeof content !== 'string' || content.length < 1 || !fitsContentBytes(content) || CONTROL_EXCEPT_TAB_NEWLINE.test(content) || LONE_SURROGATE.test(content)) return undefined;
  // The strict object's check: zod walks for...in too, so an inherited enumerable key counts as it does there.
  for (const key in record) if (key !== 'id' && key !== 'name' && key !== 'type' && key !== 'content') return undefined;
  return { id, name, type, content };
}

// zod counts a name's length in code points (a pair of surrogates is one), so only a name over the limit in units is counted.
const fitsNameLength = (name: string) => {
  if (name.length <= MAX_NAME_LENGTH) return true;
  let points = 0;
  for (const _point of name) points++;
  return points <= MAX_NAME_LENGTH;
};
// A UTF-16 unit is at most 3 bytes of UTF-8 (a pair of them 4), so short content needs no count.
const fitsContentBytes = (content: string) => content.length <= MAX_CONTENT_BYTES / 3 || Buffer.byteLength(content, 'utf8') <= MAX_CONTENT_BYTES;

/** A snek: `id` and `type` are slugs, `name` is for people, `content` is the art. */
export type Snek = z.infer<typeof snekSchema>;
export type SnekBody = z.infer<typeof snekBodySchema>;

/** Turns a display name into an id: "Fancy Snek!" → "fancy-snek". Empty when nothing is left. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 64)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}
