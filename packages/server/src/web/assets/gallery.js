// Progressive only: every page works without this file. It adds the copy button on a snek's page.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const art = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status);
  if (!art || !status || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      // textContent is the art exactly: the HTML parser drops the one newline written after <pre>.
      await navigator.clipboard.writeText(art.textContent);
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Copying failed: select the art and copy it by hand.';
    }
  });
}

// The editor's live preview: the art as it will show, as you type. Without script the Preview button does it.
for (const area of document.querySelectorAll('textarea[data-preview]')) {
  const preview = document.getElementById(area.dataset.preview);
  if (!preview) continue;
  const show = () => {
    preview.textContent = area.value;
  };
  area.addEventListener('input', show);
  show();
  for (const button of area.form.querySelectorAll('button[data-preview-button]')) button.hidden = true;
}

// Search as you type: the form's results, fetched as the server renders them (GET /?…&part=results) and swapped in,
// a moment after the last key. Without script the form is a plain GET that loads the page.
const searchForm = document.querySelector('form[data-live-search]');
if (searchForm && window.fetch) searchAsYouType(searchForm);

function searchAsYouType(form) {
  const box = form.elements.q;
  const sort = form.elements.sort;
  let waiting;
  let asked;
  const search = async () => {
    clearTimeout(waiting);
    asked?.abort();
    const controller = (asked = new AbortController());
    const params = new URLSearchParams();
    // Without the empty fields, as the server's own links leave them out.
    for (const [key, value] of new FormData(form)) if (value.trim()) params.set(key, value);
    const url = params.size ? `/?${params}` : '/';
    try {
      const response = await fetch(`/?${params}${params.size ? '&' : ''}part=results`, { signal: controller.signal });
      // A refusal (a sign-in that ended, too many requests) leaves the page as it is; the Search button still works.
      if (!response.ok) return;
      const template = document.createElement('template');
      template.innerHTML = await response.text();
      if (controller.signal.aborted) return;
      const results = template.content.getElementById('results');
      stopLive();
      document.getElementById('results').replaceWith(results);
      stopLive = startLive();
      history.replaceState(null, '', url);
      const { heading } = results.dataset;
      document.querySelector('main h1').textContent = heading;
      document.title = `${heading} · Snek`;
      const found = results.querySelector('#range, #empty');
      document.getElementById('search-status').textContent = found ? found.textContent : '';
    } catch {
      // Aborted by a newer search, or the network failed: the next key tries again.
    }
  };
  // A search lists the best matches first, so the sort applies when the box is empty.
  const showSort = () => {
    sort.disabled = box.value.trim() !== '';
    document.getElementById('sort-note').hidden = !sort.disabled;
  };
  box.addEventListener('input', () => {
    showSort();
    clearTimeout(waiting);
    waiting = setTimeout(search, 250);
  });
  sort.addEventListener('change', search);
}

// The gallery kept live: the server marks the cards' list with where the change log stood when it made the page
// (only when its store keeps one). Later changes update and remove this page's cards, and the type chips are
// recounted. A page in id order also gets new cards in their place; a page in another order, or a search, cannot
// place them without the server's ranking, so it says to reload instead. Without script, or without a log, the page
// stays as the server made it: a reload shows the changes.
let stopLive = startLive();

function startLive() {
  const list = document.querySelector('ul.cards[data-live-after]');
  return list && window.EventSource ? keepLive(list) : () => {};
}

function keepLive(list) {
  const { type, name, from, to, order } = list.dataset;
  const previewLines = Number(list.dataset.previewLines);
  let seen = Number(list.dataset.liveAfter);
  // Which sneks this page shows: its filters, and its place among the pages (cards are in id order).
  const belongs = (snek) => (!type || snek.type === type) && (!name || snek.name === name) && !(snek.id < from) && !(snek.id > to);
  // Another order: a card stays where it is while what it is sorted or found by stays the same.
  const keepsPlace = (card, snek) => order !== 'updated' && cardName(card) === snek.name && card.querySelector('p.type').textContent === snek.type;
  const source = new EventSource(`/v1/changes/stream?after=${seen}`);
  source.addEventListener('change', (event) => {
    const change = JSON.parse(event.data);
    // The browser resumes with Last-Event-ID; a change seen already changes nothing.
    if (!(change.seq > seen)) return;
    seen = change.seq;
    const card = [...list.children].find((other) => cardId(other) === change.id);
    const put = change.op === 'put';
    if (order === 'id' && put && belongs(change.snek)) {
      if (card) fillCard(card, change, previewLines);
      else addCard(list, change, previewLines);
      tell(card ? 'changed' : 'added');
    } else if (put && card && keepsPlace(card, change.snek)) {
      fillCard(card, change, previewLines);
      tell('changed');
    } else if (order !== 'id' && put && (card || !type || change.snek.type === type)) {
      tell('reload');
    } else if (card) {
      removeCard(card);
      tell('removed');
    }
    showEmpty(list);
    recount();
  });
  // A refusal (no such route, a sign-in that ended) closes the stream for good; a dropped one the browser reopens.
  source.addEventListener('error', () => source.readyState === EventSource.CLOSED && source.close());

  // One polite announcement per burst of changes, not one per card.
  const told = { added: 0, changed: 0, removed: 0, reload: 0 };
  let telling;
  function tell(what) {
    told[what] += 1;
    telling ??= setTimeout(() => {
      telling = undefined;
      const status = document.getElementById('live-status');
      const parts = Object.entries(told).filter(([done, n]) => n > 0 && done !== 'reload').map(([done, n], i) => `${n}${i ? '' : n === 1 ? ' snek' : ' sneks'} ${done}`);
      status.textContent = parts.length ? `Updated live: ${parts.join(', ')}.` : '';
      if (told.reload) {
        status.append(`${parts.length ? ' ' : ''}Other sneks changed, which this page cannot place in its order: `);
        part(status, 'a').textContent = 'reload';
        status.lastChild.href = location.href;
        status.append(' to see them.');
      }
      for (const key in told) told[key] = 0;
    }, 1000);
  }

  // The chips' counts from /v1/types: once more after a burst of changes, not once per change.
  let counting = false;
  let countAgain = false;
  async function recount() {
    if (counting) return void (countAgain = true);
    counting = true;
    try {
      do {
        countAgain = false;
        const response = await fetch('/v1/types');
        if (response.ok) updateChips((await response.json()).types, type);
      } while (countAgain);
    } catch {
      // The counts stay as they were; the next change tries again.
    } finally {
      counting = false;
    }
  }
  return () => source.close();
}

const cardId = (card) => card.querySelector('h2 a').getAttribute('href').slice(3);
const cardName = (card) => card.querySelector('h2 a').textContent;
const chipType = (link) => new URL(link.href).searchParams.get('type') ?? '';

function part(parent, tag, className, before = null) {
  const element = parent.insertBefore(document.createElement(tag), before);
  if (className) element.className = className;
  return element;
}

/** "3 hours ago", as the server says it. */
function timeAgo(at) {
  const elapsed = Date.now() - Date.parse(at);
  const units = { year: 365 * 864e5, month: 30 * 864e5, day: 864e5, hour: 36e5, minute: 6e4 };
  for (const [unit, size] of Object.entries(units)) if (elapsed >= size) return new Intl.RelativeTimeFormat('en').format(-Math.floor(elapsed / size), unit);
  return 'just now';
}

/** A card's parts, made where missing and updated in place, so that a focused link or art keeps its focus. */
function fillCard(card, { snek, at, by }, previewLines) {
  const href = `/s/${snek.id}`;
  const link = card.querySelector('h2 a') ?? part(part(card, 'h2'), 'a');
  link.href = href;
  // The same name keeps its search highlight.
  if (link.textContent !== snek.name) link.textContent = snek.name;
  (card.querySelector('p.type') ?? part(card, 'p', 'type')).textContent = snek.type;
  const art = card.querySelector('pre') ?? part(card, 'pre');
  const edited = card.querySelector('p.edited') ?? part(card, 'p', 'edited', art);
  edited.textContent = 'edited ';
  const time = part(edited, 'time');
  time.dateTime = at;
  time.textContent = timeAgo(at);
  if (by) edited.append(` by ${by.name}${by.kind === 'token' ? ' (token)' : ''}`);
  art.setAttribute('role', 'img');
  art.setAttribute('aria-label', snek.name);
  art.tabIndex = 0;
  art.textContent = snek.content;
  const long = snek.content.split('\n').length > previewLines;
  art.classList.toggle('preview', long);
  let more = card.querySelector('p.more');
  if (long && !more) part((more = part(card, 'p', 'more')), 'a').textContent = 'The whole snek';
  if (more && !long) more.remove();
  else if (more) more.firstChild.href = href;
}

function addCard(list, change, previewLines) {
  const card = document.createElement('li');
  card.className = 'card';
  fillCard(card, change, previewLines);
  list.insertBefore(card, [...list.children].find((other) => cardId(other) > change.id) ?? null);
}

/** The line a page with no card shows: the server's, else one of our own once the last card has gone. */
function showEmpty(list) {
  let empty = document.getElementById('empty');
  if (!empty && !list.children.length) {
    empty = document.createElement('p');
    empty.className = 'error';
    empty.id = 'empty';
    empty.textContent = 'There are no sneks here now.';
    list.before(empty);
  }
  if (empty) empty.hidden = list.children.length > 0;
}

function removeCard(card) {
  // Focus in a card that goes would fall to the page's start: keep it near, on the heading.
  if (card.contains(document.activeElement)) {
    const heading = document.querySelector('main h1');
    heading.tabIndex = -1;
    heading.focus();
  }
  card.remove();
}

/** The chips as /v1/types counts now: a new type gets a chip; one with no snek left loses it, unless the page is its. */
function updateChips(types, pageType) {
  const chips = document.querySelector('ul.chips');
  const links = new Map([...chips.querySelectorAll('a')].map((link) => [chipType(link), link]));
  const label = (link, text, count) => (link.textContent = `${text} (${count})`);
  label(links.get(''), 'All', types.reduce((sum, t) => sum + t.count, 0));
  for (const { type, count } of types) {
    let link = links.get(type);
    links.delete(type);
    if (!link) {
      const later = [...chips.children].find((item) => chipType(item.firstChild) > type);
      link = part(part(chips, 'li', '', later), 'a');
      // The All chip's link, which keeps the page's search and sort, with the type.
      const url = new URL(links.get('').href);
      url.searchParams.set('type', type);
      link.href = url.pathname + url.search;
      if (type === pageType) link.setAttribute('aria-current', 'page');
    }
    label(link, type, count);
  }
  links.delete('');
  for (const [type, link] of links) {
    if (link.getAttribute('aria-current')) label(link, type, 0);
    else link.parentElement.remove();
  }
}
