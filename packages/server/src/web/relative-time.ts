/** A time as the gallery shows it: "3 hours ago", with the exact time for a <time> element. */
export interface ShownTime {
  /** The ISO 8601 time, for <time datetime>. */
  iso: string;
  /** "2026-05-01 14:03:27 UTC", for its title. */
  exact: string;
  /** "3 hours ago", "just now". */
  ago: string;
}

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
const FORMAT = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** How long before `now` the ISO time `at` was, in its largest whole unit; under a minute (or a clock ahead of ours) is "just now". */
export function timeAgo(at: string, now = Date.now()): string {
  const elapsed = now - Date.parse(at);
  for (const [unit, size] of UNITS) if (elapsed >= size) return FORMAT.format(-Math.floor(elapsed / size), unit);
  return 'just now';
}

export function shownTime(at: string, now = Date.now()): ShownTime {
  const exact = `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return { iso: at, exact, ago: timeAgo(at, now) };
}
