// What `pnpm bench --scale` asks of a store of n sneks: each kind is labelled paths, made one after another (a keyset walk
// needs the answer before), spread over all n sneks so that few repeat and the server's answer cache serves little.
import { SCALE_TYPES, hash, scaleId, scaleName } from './scale-data.mjs';

const q = (text) => `/v1/sneks?q=${encodeURIComponent(text)}&limit=48`;

/** The i-th pick of 0..n-1 for `salt`: the same on every run. */
const pick = (salt, i, n) => hash(hash(salt) ^ i) % n;

/** "snek" as people type it: the letters' case varies, which the ranking folds but the answer cache's key does not. */
function anyCase(word, i) {
  const bits = hash(i);
  return [...word].map((c, k) => (bits & (1 << k) ? c.toUpperCase() : c)).join('');
}

/** The names of an answer's results. */
const names = (body) => JSON.parse(body).items.map((snek) => snek.name);

/**
 * The search mix: one label each, in turn, each `(i) => [path, check]`; `check(body)` says how the answer fails a
 * person who asked it (their snek not on the first page, say), or undefined.
 */
function searches(n) {
  const first = (name) => (body) => (names(body)[0] === name ? undefined : `"${name}" is not the first result`);
  const found = (name) => (body) => (names(body).includes(name) ? undefined : `"${name}" is not on the first page`);
  const full = (body) => (names(body).length === 48 ? undefined : `${names(body).length} results, not a full page`);
  return {
    exact: (i) => [q(scaleName(pick(1, i, n))), first(scaleName(pick(1, i, n)))],
    // "Snek number 1234" of Snek number 123456: a name's start, which a few dozen to a few hundred names share.
    prefix: (i) => {
      const text = scaleName(pick(2, i, n)).slice(0, -2);
      return [q(text), (body) => (names(body)[0]?.startsWith(text) ? undefined : `the first result does not start with "${text}"`)];
    },
    // The number without its first digit: inside a few names (and inside ids, a lower tier).
    substring: (i) => {
      const text = String(pick(3, i, n)).slice(1).padStart(3, '1');
      return [q(text), (body) => (names(body).some((name) => name.includes(text)) ? undefined : `no name holds "${text}"`)];
    },
    // A transposed and a dropped letter: no name contains it, the trigrams are near.
    'near miss': (i) => [q(scaleName(pick(4, i, n)).replace('number', 'nubmer').replace('noodle', 'nodle')), found(scaleName(pick(4, i, n)))],
    // What most names (and every id) contain.
    dense: (i) => [q(anyCase(['snek', 'number', 'snek number'][i % 3], i)), full],
  };
}

/** Three keyset walks, in turn, each from its first page to its end and again, its next page from its last answer's nextCursor. */
function walks() {
  return {
    'sort=name': () => '/v1/sneks?sort=name&limit=48',
    '?type=': (round) => `/v1/sneks?type=${SCALE_TYPES[round % SCALE_TYPES.length]}&limit=48`,
    'sort=name&type=': (round) => `/v1/sneks?sort=name&type=${SCALE_TYPES[(round + 1) % SCALE_TYPES.length]}&limit=48`,
  };
}

/**
 * The kinds, each `{ labels: { label: firstPath }, next(labels) }`: `labels` are the first paths to try, `next(accepted)`
 * the generator of `{ label, path, … }` over the labels the server accepted.
 */
export function scaleKinds(n) {
  const mix = searches(n);
  const walk = walks();
  return {
    one: {
      labels: { one: `/v1/sneks/${scaleId(0)}` },
      next: () => {
        let i = 0;
        return () => ({ label: 'one', path: `/v1/sneks/${scaleId(pick(0, i++, n))}` });
      },
    },
    page: {
      labels: Object.fromEntries(Object.entries(walk).map(([label, first]) => [label, first(0)])),
      next: (accepted) => {
        const state = accepted.map((label) => ({ label, round: 0, cursor: undefined }));
        let turn = 0;
        return (previous) => {
          if (previous?.walk) {
            const cursor = JSON.parse(previous.body).nextCursor;
            previous.walk.cursor = cursor ?? undefined;
            if (!cursor) previous.walk.round++;
          }
          const w = state[turn++ % state.length];
          const first = walk[w.label](w.round);
          return { label: w.label, walk: w, path: w.cursor ? `${first}&cursor=${encodeURIComponent(w.cursor)}` : first };
        };
      },
    },
    search: {
      labels: Object.fromEntries(Object.entries(mix).map(([label, make]) => [label, make(0)[0]])),
      next: (accepted) => {
        let i = 0;
        return () => {
          const label = accepted[i % accepted.length];
          const [path, check] = mix[label](i++);
          return { label, path, check };
        };
      },
    },
    types: {
      labels: { types: '/v1/types' },
      next: () => () => ({ label: 'types', path: '/v1/types' }),
    },
  };
}
