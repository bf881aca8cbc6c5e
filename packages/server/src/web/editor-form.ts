import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { MAX_CONTENT_BYTES, SnekError } from '@snek/core';

/**
 * The editor's forms are urlencoded, and a browser percent-encodes every byte that is not ASCII: 64 KiB of art
 * (MAX_CONTENT_BYTES) is at most 192 KiB on the wire, plus a name, a type and two tokens. Anything larger is no snek.
 */
export const FORM_LIMIT_BYTES = 3 * MAX_CONTENT_BYTES + 16 * 1024;
const FORM_FIELDS = 8;

/** The bytes a urlencoded body stands for: each %XX a byte, "+" a space, the rest as sent. */
function formBytes(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let length = 0;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i]!;
    const hex = byte === 0x25 ? /^[0-9a-f]{2}$/i.exec(body.toString('latin1', i + 1, i + 3)) : null;
    if (hex) {
      out[length++] = Number.parseInt(hex[0], 16);
      i += 2;
    } else out[length++] = byte === 0x2b ? 0x20 : byte;
  }
  return out.subarray(0, length);
}

const parse = express.urlencoded({
  extended: false,
  limit: FORM_LIMIT_BYTES,
  parameterLimit: FORM_FIELDS,
  // querystring would decode invalid UTF-8 into U+FFFD silently, and change the art without a word.
  verify: (_req, _res, buffer) => {
    if (!isUtf8(formBytes(buffer))) {
      throw new SnekError('REQUEST_INVALID', 'The form is not valid UTF-8. Send it from the editor page, which encodes it as UTF-8.');
    }
  },
});

// body-parser's failures in a form's words: the API's messages speak of JSON.
const FAILURES: Record<string, SnekError> = {
  'entity.too.large': new SnekError('PAYLOAD_TOO_LARGE', `The form is larger than ${FORM_LIMIT_BYTES / 1024} KiB, which no snek needs: the art may be at most ${MAX_CONTENT_BYTES / 1024} KiB of UTF-8. Shorten it and send it again.`),
  'parameters.too.many': new SnekError('PAYLOAD_TOO_LARGE', `The form has more than ${FORM_FIELDS} fields; the editor sends at most six. Send it from the editor page.`),
  'encoding.unsupported': new SnekError('UNSUPPORTED_MEDIA_TYPE', 'The form uses a content encoding the server does not take. Send it unencoded, as a browser does.'),
  'charset.unsupported': new SnekError('UNSUPPORTED_MEDIA_TYPE', 'The form must be UTF-8. Send it from the editor page.'),
};

/** A form post's body: urlencoded UTF-8 only, of a bounded size and number of fields. */
export const formBody: RequestHandler = (req, res, next) => {
  if (!req.is('application/x-www-form-urlencoded')) {
    return next(new SnekError('UNSUPPORTED_MEDIA_TYPE', `The form must be sent as application/x-www-form-urlencoded, not ${(req.get('content-type') ?? 'no content type').slice(0, 60)}. Send it from the page's own form.`));
  }
  parse(req, res, (error?: unknown) => {
    if (!error || SnekError.is(error)) return next(error);
    const { type, status } = error as { type?: string; status?: number };
    const known = type ? FAILURES[type] : undefined;
    if (known) return next(known);
    if (typeof status === 'number' && status >= 400 && status < 500) return next(new SnekError('REQUEST_INVALID', 'The form could not be read. Send it again from the editor page.'));
    next(error);
  });
};

/**
 * The form's fields as single strings. A field the form does not have, or one sent twice, is refused: a
 * browser sends neither, so such a post is crafted, and guessing what it meant could write the wrong thing.
 */
export function formFields<Field extends string>(body: unknown, fields: readonly Field[]): Partial<Record<Field, string>> {
  const known = new Set<string>(fields);
  const out: Partial<Record<Field, string>> = {};
  for (const [key, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (!known.has(key)) throw new SnekError('REQUEST_INVALID', `The form has a field "${key.slice(0, 40)}" that the editor does not send. Send it from the editor page.`);
    if (typeof value !== 'string') throw new SnekError('REQUEST_INVALID', `The form sent the field "${key}" more than once. Send it from the editor page.`);
    out[key as Field] = value;
  }
  return out;
}

/** A textarea's value arrives with CRLF line ends (HTML's form encoding); the art is stored with LF, as a PUT takes it. */
export function artFromTextarea(value: string): string {
  return value.replaceAll('\r\n', '\n');
}
