import type { Candidate } from './import-records.js';

/**
 * A chunk of candidates as jsonl-worker.ts posts it: the fields of its sneks in one string, and the rest (history
 * lines and unreadable records) beside them with their places in the chunk. Receiving a million sneks as objects
 * cost the importing thread about as much as parsing them (structured clone, 0.6 s); as one string a chunk, 0.2 s.
 */
export interface ParsedChunk {
  count: number;
  /** id, name, type and content of each snek in order, joined by NUL: a valid snek has no control character. */
  sneks: string;
  others: Array<{ index: number; candidate: Exclude<Candidate, { snek: unknown }> }>;
}

const SEPARATOR = '\u0000';

export function packChunk(candidates: readonly Candidate[]): ParsedChunk {
  const fields: string[] = [];
  const others: ParsedChunk['others'] = [];
  candidates.forEach((candidate, index) => {
    if ('snek' in candidate) fields.push(candidate.snek.id, candidate.snek.name, candidate.snek.type, candidate.snek.content);
    else others.push({ index, candidate });
  });
  return { count: candidates.length, sneks: fields.join(SEPARATOR), others };
}

export function unpackChunk(chunk: ParsedChunk): Candidate[] {
  const fields = chunk.others.length === chunk.count ? [] : chunk.sneks.split(SEPARATOR);
  const candidates: Candidate[] = [];
  let field = 0;
  let other = 0;
  for (let index = 0; index < chunk.count; index++) {
    if (chunk.others[other]?.index === index) candidates.push(chunk.others[other++]!.candidate);
    else {
      candidates.push({ snek: { id: fields[field]!, name: fields[field + 1]!, type: fields[field + 2]!, content: fields[field + 3]! } });
      field += 4;
    }
  }
  return candidates;
}
