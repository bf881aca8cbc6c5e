/** One Server-Sent Event, as an EventSource would dispatch it. */
export interface ServerSentEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * The text/event-stream format, parsed as the HTML standard says: fields up to a blank line make an event, a line
 * starting with a colon is a comment (a heartbeat), `retry:` sets the reconnection delay. Feed it text as it comes.
 */
export class EventStreamParser {
  /** The server's `retry:` in milliseconds, once it sent one. */
  retryMs: number | undefined;
  private pending = '';
  private afterCr = false;
  private data: string[] = [];
  private id: string | undefined;
  private event: string | undefined;

  push(text: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    // A chunk may end between the CR and the LF of one line break.
    const joined = this.pending + (this.afterCr && text.startsWith('\n') ? text.slice(1) : text);
    this.afterCr = text.endsWith('\r');
    const lines = joined.split(/\r\n|\r|\n/);
    // A chunk may end inside a line: the rest of it comes with the next.
    this.pending = lines.pop()!;
    for (const line of lines) {
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const event = this.data.length ? { id: this.id, event: this.event ?? 'message', data: this.data.join('\n') } : undefined;
      this.data = [];
      this.event = undefined;
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }
}
