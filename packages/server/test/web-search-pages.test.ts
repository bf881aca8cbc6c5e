import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeSortCursor } from '@snek/core';
import { startTestServer, type TestServer } from './helpers/in-process.js';

// The gallery's search, sort and pages as plain HTML, the way a browser without JavaScript gets them: the links and
// the form are the whole of it. web-search.test.ts drives the same in Chromium, with and without script.
const SQLITE = 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

// Ids not padded, so that id order (snek-1, snek-10, snek-11, snek-12, snek-2) is not the names' natural order.
const NUMBERED = Array.from({ length: 12 }, (_, i) => ({ id: `snek-${i + 1}`, name: `Snek ${i + 1}`, type: 'numbered', content: `~~~<  ${i + 1}` }));
const SEVEN = { id: 'seven', name: 'Snek number 7', type: 'lucky', content: '~~~~~~~<' };
const STREET = { id: 'street', name: 'Große Straße', type: 'words', content: '~~~<' };
const XSS = { id: 'xss-search', name: '<script>alert("snek")</script>', type: 'evil', content: '</pre><img src=x onerror=alert(1)>' };

let server: TestServer;

/** The gallery's HTML for `search` (a query string), as a browser asks for it. */
async function page(search: string, status = 200): Promise<string> {
  const response = await fetch(`${server.url}/${search}`, { headers: { accept: BROWSER_ACCEPT } });
  expect([search, response.status]).toEqual([search, status]);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  return response.text();
}

/** The cards' ids, in the page's order. */
const cards = (html: string) => [...html.matchAll(/<li class="card"><h2><a href="\/s\/([^"]+)">/g)].map((match) => match[1]!);
/** The card names as HTML, marks and escapes as sent. */
const names = (html: string) => [...html.matchAll(/<li class="card"><h2><a href="[^"]+">(.*?)<\/a><\/h2>/g)].map((match) => match[1]!);
/** The href of the pages link with this text, decoded as a browser decodes an attribute. */
function link(html: string, text: string): string | undefined {
  const found = new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(html);
  return found?.[1]!.replaceAll('&amp;', '&');
}
const range = (html: string) => /<p class="range" id="range">([^<]*)<\/p>/.exec(html)?.[1];

beforeAll(async () => {
  server = await startTestServer({ snekrc: SQLITE });
  for (const snek of [...NUMBERED, SEVEN, STREET, XSS]) expect((await server.request(`/v1/sneks/${snek.id}`, { method: 'PUT', json: snek })).status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
});

describe('GET /?q= (the gallery search, without script)', () => {
  it('finds a misspelt name as a near miss, and says that nothing contains the text', async () => {
    const html = await page('?q=Snek+numbr+7');
    expect(cards(html)[0]).toBe('seven');
    expect(html).toContain('<h1>Sneks matching “Snek numbr 7”</h1>');
    expect(html).toContain('No name contains “Snek numbr 7”: these are the nearest.');
    // The box keeps the text, and the sort waits while a search ranks.
    expect(html).toContain('<input id="q" name="q" type="search" value="Snek numbr 7"');
    expect(html).toMatch(/<select id="sort" name="sort" aria-describedby="sort-note" disabled>/);
  });

  it('marks where the text matched in each name, folded as the stores fold it', async () => {
    // Not "number" alone, which the type "numbered" of the others contains.
    const html = await page('?q=NUMBER+7');
    expect(cards(html)).toEqual(['seven']);
    expect(names(html)).toEqual(['Snek <mark>number 7</mark>']);
    expect(range(html)).toBe('1–1 of 1');
    expect(html).not.toContain('No name contains');
    expect(names(await page('?q=STRASSE'))).toEqual(['Große <mark>Straße</mark>']);
    const every = await page('?q=snek&limit=3');
    expect(names(every)).toEqual(['<mark>Snek</mark> 1', '<mark>Snek</mark> 2', '<mark>Snek</mark> 3']);
  });

  it('escapes a hostile name inside and outside its marks, and the search text wherever the page shows it', async () => {
    const byWord = await page('?q=snek&type=evil');
    expect(names(byWord)).toEqual(['&lt;script&gt;alert(&quot;<mark>snek</mark>&quot;)&lt;/script&gt;']);
    const byTag = await page(`?q=${encodeURIComponent('<script>')}`);
    expect(names(byTag)).toEqual(['<mark>&lt;script&gt;</mark>alert(&quot;snek&quot;)&lt;/script&gt;']);
    const hostile = '"><img src=x onerror=alert(9)>';
    const echoed = await page(`?q=${encodeURIComponent(hostile)}`);
    expect(echoed).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(9)&gt;"');
    expect(echoed).toContain('No snek matches “&quot;&gt;&lt;img src=x onerror=alert(9)&gt;”.');
    for (const html of [byWord, byTag, echoed]) {
      expect(html).not.toMatch(/<script>alert|<img src=x|<\/pre><img/);
      expect(html.match(/<script/g)).toHaveLength(1);
    }
  });

  it('pages a search both ways, with a first-page link beyond the second page, and knows the total on its last page', async () => {
    const first = await page('?q=snek&limit=5');
    expect(range(first)).toBe('1–5');
    expect([link(first, 'First page'), link(first, 'Previous page')]).toEqual([undefined, undefined]);
    const pages = [cards(first)];
    let html = first;
    while (link(html, 'Next page')) {
      expect(pages.length).toBeLessThan(5);
      html = await page(link(html, 'Next page')!.slice(1));
      expect(link(html, 'First page')).toBe(pages.length >= 2 ? '/?q=snek&limit=5' : undefined);
      // Previous leads to the page just read, card for card.
      expect(cards(await page(link(html, 'Previous page')!.slice(1)))).toEqual(pages.at(-1));
      pages.push(cards(html));
    }
    // Twelve "Snek N", "Snek number 7" and the XSS snek, whose name contains "snek": each once.
    const seen = pages.flat();
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
    expect(range(html)).toBe('11–14 of 14');
  });

  it('says so on a page whose sneks are gone, and leads back from where it stood', async () => {
    // A cursor after every name, as a page is left once what it held is deleted.
    const past = encodeSortCursor({ sort: 'name', direction: 'after', position: { key: 'zzzz', id: 'zzzz' }, offset: 96 });
    const html = await page(`?sort=name&cursor=${past}`);
    expect(cards(html)).toEqual([]);
    expect(html).toContain('No more sneks here: the ones this page held are gone.');
    expect(link(html, 'Next page')).toBeUndefined();
    const back = await page(link(html, 'Previous page')!.slice(1));
    expect(cards(back).length).toBeGreaterThan(0);
    expect(link(back, 'Next page')).toBeUndefined();
  });

  it('says what an empty search found, and offers the matches of other types', async () => {
    expect(await page('?q=zzzzzz')).toContain('No snek matches “zzzzzz”. <a href="/">See all sneks</a>.');
    const html = await page('?q=alert&type=numbered');
    expect(html).toContain('No snek matches “alert” in type numbered. In other types: <a href="/s/xss-search">&lt;script&gt;alert(&quot;snek&quot;)&lt;/script&gt;</a> (evil); <a href="/?q=alert">search every type</a>. <a href="/">See all sneks</a>.');
  });

  it('keeps the search in the type chips, and the chips count every snek of their type', async () => {
    const html = await page('?q=snek');
    expect(html).toContain('<a href="/?q=snek&amp;type=lucky">lucky (1)</a>');
    expect(html).toContain('<a href="/?q=snek" aria-current="page">All (');
  });
});

describe('GET /?sort= (the gallery in another order, without script)', () => {
  it('sorts names naturally: Snek 2 before Snek 10', async () => {
    const byName = cards(await page('?sort=name&type=numbered'));
    expect(byName).toEqual(NUMBERED.map((snek) => snek.id));
    const byId = cards(await page('?type=numbered'));
    expect(byId.slice(0, 3)).toEqual(['snek-1', 'snek-10', 'snek-11']);
    expect(await page('?sort=name')).toMatch(/<option value="name" selected>Name<\/option>/);
  });

  it('sorts by last change, newest first', async () => {
    expect((await server.request('/v1/sneks/snek-3', { method: 'PUT', json: { ...NUMBERED[2], content: '~~<  three' } })).status).toBe(200);
    expect(cards(await page('?sort=updated&type=numbered'))[0]).toBe('snek-3');
  });

  it('pages both ways with "x–y of N", previous and next, and a first-page link past the second page', async () => {
    const first = await page('?sort=name&type=numbered&limit=5');
    expect(range(first)).toBe('1–5 of 12');
    expect([link(first, 'Previous page'), link(first, 'First page')]).toEqual([undefined, undefined]);
    const second = await page(link(first, 'Next page')!.slice(1));
    expect([range(second), cards(second)]).toEqual(['6–10 of 12', NUMBERED.slice(5, 10).map((snek) => snek.id)]);
    expect(link(second, 'First page')).toBeUndefined();
    const third = await page(link(second, 'Next page')!.slice(1));
    expect([range(third), link(third, 'Next page')]).toEqual(['11–12 of 12', undefined]);
    expect(link(third, 'First page')).toBe('/?type=numbered&sort=name&limit=5');
    const back = await page(link(third, 'Previous page')!.slice(1));
    expect([range(back), cards(back)]).toEqual(['6–10 of 12', cards(second)]);
    const start = await page(link(back, 'Previous page')!.slice(1));
    expect([range(start), cards(start), link(start, 'Previous page')]).toEqual(['1–5 of 12', cards(first), undefined]);
  });

  it('tells gallery.js the order, so that live changes are placed only where id order places them', async () => {
    expect(await page('?sort=name')).toMatch(/<ul class="cards" data-live-after="\d+" data-preview-lines="24" data-order="name">/);
    expect(await page('?q=snek')).toMatch(/<ul class="cards" data-live-after="\d+" data-preview-lines="24" data-order="search">/);
    expect(await page('?limit=5')).toMatch(/<ul class="cards" data-live-after="\d+" data-preview-lines="24" data-order="id" data-to="[^"]+">/);
  });
});

describe('GET /?…&part=results (what gallery.js swaps in as you type)', () => {
  it('is the results alone, as the whole page has them', async () => {
    const whole = await page('?q=snek&limit=4');
    const part = await page('?q=snek&limit=4&part=results');
    expect(part).toMatch(/^<div id="results" data-heading="Sneks matching “snek”">/);
    expect(part).not.toContain('<html');
    expect(cards(part)).toEqual(cards(whole));
    expect(whole).toContain(part.trim());
  });
});

describe('bad gallery queries', () => {
  it('are a 400 page that says what is wrong, never a 5xx', async () => {
    expect(await page(`?q=${'x'.repeat(101)}`, 400)).toContain('must be at most 100 characters');
    expect(await page('?sort=colour', 400)).toContain('sort');
    expect(await page('?q=a&q=b', 400)).toContain('Invalid query');
    // The API's own checks: the gallery's query goes through them once its form's empty fields are dropped.
    expect(await page('?q=a%01b', 400)).toContain('must not contain control characters');
    expect(await page('?q=snek&part=all', 400)).toContain('part must be');
    expect(await page('?q=snek&cursor=nonsense', 400)).toContain('cannot be used');
    const search = link(await page('?q=snek&limit=5'), 'Next page')!;
    // A search's cursor pages that search only.
    expect(await page(`${search.slice(1).replace('q=snek', 'q=other')}`, 400)).toContain('belongs to another search');
    expect(await page(`${search.slice(1).replace('q=snek', 'sort=name')}`, 400)).toContain('belongs to a search');
  });
});
