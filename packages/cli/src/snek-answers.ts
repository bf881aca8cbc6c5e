import type { Snek, SnekPage } from '@snek/core';

// What a Snek API answers, checked before use: a --url that points elsewhere (a wrong path, another
// server) must say so, not pass for "no such snek". No zod here: the fast path loads this too.

export function isSnek(value: unknown): value is Snek {
  if (typeof value !== 'object' || value === null) return false;
  const { id, name, type, content } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof name === 'string' && typeof type === 'string' && typeof content === 'string';
}

export function isSnekPage(value: unknown): value is SnekPage {
  if (typeof value !== 'object' || value === null) return false;
  const { items, nextCursor } = value as Record<string, unknown>;
  return Array.isArray(items) && items.every(isSnek) && (nextCursor === null || typeof nextCursor === 'string');
}

/** Who made a change, as the server shows it to readers. */
export interface PublicActor {
  kind: string;
  name: string;
}

/** One entry of a snek's history (GET /v1/sneks/:id/revisions). */
export interface Revision {
  seq: number;
  op: string;
  snek?: Snek;
  at: string;
  by: PublicActor | null;
}

function isPublicActor(value: unknown): value is PublicActor | null {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const { kind, name } = value as Record<string, unknown>;
  return typeof kind === 'string' && typeof name === 'string';
}

function isRevision(value: unknown): value is Revision {
  if (typeof value !== 'object' || value === null) return false;
  const { seq, op, snek, at, by } = value as Record<string, unknown>;
  return Number.isSafeInteger(seq) && typeof op === 'string' && typeof at === 'string' && isPublicActor(by) && (snek === undefined || isSnek(snek));
}

export function isRevisionPage(value: unknown): value is { items: Revision[]; nextCursor: string | null } {
  if (typeof value !== 'object' || value === null) return false;
  const { items, nextCursor } = value as Record<string, unknown>;
  return Array.isArray(items) && items.every(isRevision) && (nextCursor === null || typeof nextCursor === 'string');
}

export function isTypeCounts(value: unknown): value is { types: Array<{ type: string; count: number }> } {
  const types = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['types'] : undefined;
  return Array.isArray(types) && types.every((t) => typeof t === 'object' && t !== null && typeof (t as Record<string, unknown>)['type'] === 'string' && typeof (t as Record<string, unknown>)['count'] === 'number');
}

/** The problem document of a Snek server's error answer: JSON with a string `code`; undefined for anything else. */
export function snekProblem(contentType: unknown, body: unknown): (Record<string, unknown> & { code: string; detail?: unknown }) | undefined {
  if (typeof contentType !== 'string' || !/json/i.test(contentType)) return undefined;
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Record<string, unknown>)['code'] !== 'string') return undefined;
  return parsed as Record<string, unknown> & { code: string };
}

/** The line for an answer that is not a Snek API's: what came back, and where to look. */
export function notSnekApiMessage(url: string, status: number, contentType: unknown): string {
  const type = typeof contentType === 'string' && contentType ? contentType.split(';')[0]!.trim() : 'no content type';
  return `${url} is not a Snek API: it answered HTTP ${status} (${type}). Check --url, SNEK_URL or client.url: it is the server's address, like http://localhost:8000`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
