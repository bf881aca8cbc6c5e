/** "3 hours", "1 minute", "45 seconds": a span of time as people say it, rounded to its largest unit. */
export function durationWords(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const [count, unit] = seconds < 90 ? [seconds, 'second'] : seconds < 5400 ? [Math.round(seconds / 60), 'minute'] : seconds < 129600 ? [Math.round(seconds / 3600), 'hour'] : [Math.round(seconds / 86400), 'day'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
