/**
 * Just enough MIME to read back what nodemailer sends (RFC 5322 headers with RFC 2047
 * encoded words, multipart bodies, quoted-printable and base64): the mail catcher uses
 * it so tests and developers see subjects and bodies as written, not as encoded.
 */
export interface ParsedMessage {
  /** Header values by lower-case name (the first occurrence), encoded words decoded. */
  headers: Record<string, string>;
  subject: string;
  text: string | null;
  html: string | null;
}

interface Part {
  headers: Record<string, string>;
  body: string; // raw bytes as latin1
}

const decoderFor = (charset: string) => {
  try {
    return new TextDecoder(charset.trim().toLowerCase());
  } catch {
    return new TextDecoder('utf-8');
  }
};

const bytes = (latin1: string) => Buffer.from(latin1, 'latin1');

function decodeQuotedPrintable(body: string): Buffer {
  return bytes(body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))));
}

/** RFC 2047: `=?UTF-8?Q?Booking_confirmed=3A_Desk_1?=`; adjacent encoded words join (a character may span two). */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  const pattern = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let out = '';
  let last = 0;
  let pending: { charset: string; chunks: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += decoderFor(pending.charset).decode(Buffer.concat(pending.chunks));
    pending = null;
  };
  for (let match = pattern.exec(joined); match; match = pattern.exec(joined)) {
    const [word, charset, encoding, data] = match;
    if (match.index > last) {
      flush();
      out += joined.slice(last, match.index);
    }
    const chunk = encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '));
    const cs = charset.split('*')[0]; // RFC 2231 language suffix
    if (pending && (pending as { charset: string }).charset.toLowerCase() !== cs.toLowerCase()) flush();
    pending ??= { charset: cs, chunks: [] };
    pending.chunks.push(chunk);
    last = match.index + word.length;
  }
  flush();
  return out + joined.slice(last);
}

function splitPart(raw: string): Part {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= decodeEncodedWords(bytes(line.slice(colon + 1).trim()).toString('utf8'));
  }
  return { headers, body };
}

/** `text/plain; charset=utf-8; format=flowed` → type and lower-case parameter names. */
function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) params[param.slice(0, eq).trim().toLowerCase()] = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodeBody(part: Part, charset: string): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const raw =
    encoding === 'quoted-printable' ? decodeQuotedPrintable(part.body) : encoding === 'base64' ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64') : bytes(part.body);
  return decoderFor(charset).decode(raw);
}

/** The text/plain and text/html leaves of a part, depth first (the first of each wins). */
function leaves(part: Part, found: { text: string | null; html: string | null }): void {
  const { type, params } = contentType(part.headers['content-type']);
  if (type.startsWith('multipart/') && params.boundary) {
    const delimiter = `--${params.boundary}`;
    const sections = part.body.split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // sections[0] is the preamble; the one starting with "--" is the epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      leaves(splitPart(section.replace(/^[ \t]*\r?\n/, '')), found);
    }
    return;
  }
  if (part.headers['content-disposition']?.toLowerCase().startsWith('attachment')) return;
  if (type === 'text/plain' && found.text === null) found.text = decodeBody(part, params.charset ?? 'utf-8');
  if (type === 'text/html' && found.html === null) found.html = decodeBody(part, params.charset ?? 'utf-8');
}

/** Parses a whole message as received over SMTP. */
export function parseMessage(raw: Buffer | string): ParsedMessage {
  const root = splitPart((typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw).toString('latin1'));
  root.body = root.body.replace(/\r?\n$/, ''); // the line break that ends the message is framing, not text
  const found = { text: null as string | null, html: null as string | null };
  leaves(root, found);
  return { headers: root.headers, subject: root.headers.subject ?? '', text: found.text, html: found.html };
}
