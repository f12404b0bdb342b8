import { inspectorUrlIn } from './inspector';

describe('inspectorUrlIn', () => {
  it("finds the WebSocket URL Node prints when started with --inspect", () => {
    const log = [
      'Debugger listening on ws://127.0.0.1:41239/0f9c6bd4-5c1e-4a0e-9c7d-2b8f0e6d7a11',
      'For help, see: https://nodejs.org/en/docs/inspector',
      '{"level":40,"msg":"ready"}',
    ].join('\n');
    expect(inspectorUrlIn(log)).toBe('ws://127.0.0.1:41239/0f9c6bd4-5c1e-4a0e-9c7d-2b8f0e6d7a11');
    expect(inspectorUrlIn('{"msg":"listening"}')).toBeUndefined();
  });
});
