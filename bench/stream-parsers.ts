/**
 * Incremental readers for the streamed HTTP answers the benchmark times (pure; unit-tested in
 * stream-parsers.test.ts): `multipart/mixed` bodies (@defer's parts, Apollo's multipart
 * subscriptions) and `text/event-stream` (GraphQL over SSE). Each takes the text of one
 * chunk as it arrives and returns what that chunk completed, so the caller stamps a part
 * with the arrival time of the chunk that completed it.
 */

/** The boundary of a `multipart/mixed` content type (`boundary="-"`, `boundary=graphql`); undefined without one. */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
}

/**
 * Splits a `multipart/mixed` body into its parts' bodies. A part is complete when the next
 * delimiter (`\r\n--<boundary>`) has arrived: both Apollo Server (@defer) and Atrium's
 * multipart subscriptions write each part's delimiter right after it. JSON text cannot
 * contain the delimiter (its line breaks are escaped), so no part is cut inside its body.
 */
export class MultipartReader {
  private buffer = '';
  private readonly delimiter: string;

  constructor(boundary: string) {
    this.delimiter = `\r\n--${boundary}`;
  }

  /** Adds the text of one chunk; returns the bodies (headers stripped, trimmed) of the parts it completed, empty ones left out. */
  push(text: string): string[] {
    this.buffer += text;
    const bodies: string[] = [];
    let at: number;
    while ((at = this.buffer.indexOf(this.delimiter)) >= 0) {
      const message = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + this.delimiter.length);
      const headEnd = message.indexOf('\r\n\r\n');
      if (headEnd < 0) continue; // the preamble, or what follows the closing delimiter
      const body = message.slice(headEnd + 4).trim();
      if (body) bodies.push(body);
    }
    return bodies;
  }
}

/** One server-sent event: its `event:` name (`message` when it has none) and its `data:` lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a `text/event-stream` into events (blank-line separated; `\n`, `\r\n` or `\r` line
 * ends; comment lines, `:` first, ignored, so keep-alive comments yield nothing).
 */
export class SseReader {
  private buffer = '';

  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      // Normalise line ends up to the last complete one only: a chunk may end between \r and \n.
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!match) break;
      const block = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r\n|\n|\r/)) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length || event !== 'message') events.push({ event, data: data.join('\n') });
    }
    return events;
  }
}
