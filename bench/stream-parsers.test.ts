import { boundaryOf, MultipartReader, SseReader } from './stream-parsers';

describe('boundaryOf', () => {
  it('reads quoted and bare boundaries from a content type', () => {
    expect(boundaryOf('multipart/mixed; boundary="-"; deferSpec=20220824')).toBe('-');
    expect(boundaryOf('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"')).toBe('graphql');
    expect(boundaryOf('multipart/mixed; boundary=abc')).toBe('abc');
    expect(boundaryOf('application/json')).toBeUndefined();
    expect(boundaryOf(null)).toBeUndefined();
  });
});

describe('MultipartReader', () => {
  const head = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';

  it('hands on each @defer part when its delimiter arrives, and nothing for the closing one', () => {
    const reader = new MultipartReader('-');
    // What Apollo Server writes: a delimiter first, each part followed at once by the next delimiter.
    expect(reader.push(`\r\n---${head}{"data":{"a":1},"hasNext":true}\r\n---`)).toEqual(['{"data":{"a":1},"hasNext":true}']);
    expect(reader.push(`${head}{"hasNext":false,"incremental":[]}\r\n-----\r\n`)).toEqual(['{"hasNext":false,"incremental":[]}']);
    expect(reader.push('')).toEqual([]);
  });

  it('keeps a part cut across chunks until its delimiter is complete', () => {
    const reader = new MultipartReader('graphql');
    const body = `\r\n--graphql${head}{"payload":{"data":{"x":"--graphql"}}}\r\n--graphql${head}{}\r\n--graphql`;
    const got: string[] = [];
    for (let i = 0; i < body.length; i += 7) got.push(...reader.push(body.slice(i, i + 7)));
    expect(got).toEqual(['{"payload":{"data":{"x":"--graphql"}}}', '{}']);
  });

  it('returns several parts completed by one chunk, in order', () => {
    const reader = new MultipartReader('graphql');
    expect(reader.push(`\r\n--graphql${head}{"a":1}\r\n--graphql${head}{"b":2}\r\n--graphql`)).toEqual(['{"a":1}', '{"b":2}']);
  });
});

describe('SseReader', () => {
  it('splits events, joins data lines, names them, and skips keep-alive comments', () => {
    const reader = new SseReader();
    expect(reader.push(':\n\n')).toEqual([]);
    expect(reader.push('event: next\ndata: {"data":{"a":1}}\n\nevent: complete\ndata:\n\n')).toEqual([
      { event: 'next', data: '{"data":{"a":1}}' },
      { event: 'complete', data: '' },
    ]);
    expect(reader.push('data: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('waits for the blank line of an event cut across chunks, whatever its line ends', () => {
    const reader = new SseReader();
    expect(reader.push('event: next\r\ndata: {"x"')).toEqual([]);
    expect(reader.push(':1}\r\n')).toEqual([]);
    expect(reader.push('\r\n')).toEqual([{ event: 'next', data: '{"x":1}' }]);
  });
});
