import nodemailer from 'nodemailer';
import { decodeEncodedWords, parseMessage } from './mail-mime';

/** What nodemailer would put on the wire, built without a network. */
async function compose(message: { subject: string; text: string; html?: string }): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await transport.sendMail({ from: 'Atrium <no-reply@atrium.local>', to: 'alice@example.test', ...message });
  return info.message as Buffer;
}

describe('reading back what nodemailer sends', () => {
  it('decodes an encoded, folded subject and quoted-printable text and HTML parts', async () => {
    const subject = 'Booking confirmed: Désk 1 — a rather long workspace name, 24 Nov 2026 10:00–12:00 UTC';
    const text = `Hello Alice,\n\nPrice: €12.50\n${'long line '.repeat(20)}`;
    const parsed = parseMessage(await compose({ subject, text, html: '<p>Price: €12.50</p>' }));
    expect(parsed.subject).toBe(subject);
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(text);
    expect(parsed.html).toBe('<p>Price: €12.50</p>');
    expect(parsed.headers.from).toBe('Atrium <no-reply@atrium.local>');
  });

  it('reads a text-only message and plain headers', async () => {
    const parsed = parseMessage(await compose({ subject: 'Plain', text: 'Just text' }));
    expect(parsed).toMatchObject({ subject: 'Plain', text: 'Just text', html: null });
  });

  it('joins adjacent encoded words, even when a character spans two', () => {
    const euro = Buffer.from('€', 'utf8');
    const split = `=?UTF-8?B?${euro.subarray(0, 1).toString('base64')}?= =?UTF-8?B?${euro.subarray(1).toString('base64')}?=12.50`;
    expect(decodeEncodedWords(split)).toBe('€12.50');
    expect(decodeEncodedWords('=?utf-8?Q?Hello_world?= and =?ISO-8859-1?Q?caf=E9?=')).toBe('Hello world and café');
  });
});
