import { ConfigError } from '../config';
import { checkSignature, handshakeSigningInput, resolveSigning, signatureFor } from './signature';

const NEW = 'n'.repeat(40);
const OLD = 'o'.repeat(40);
const BODY = '{"query":"{ _service { sdl } }","variables":{"name":"Zoë"}}';
const NOW = Date.UTC(2026, 0, 1, 12);

describe('signatureFor / checkSignature', () => {
  it('accepts the exact body signed with an accepted secret, within the clock-skew window', () => {
    const header = signatureFor(BODY, NEW, NOW);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(checkSignature(header, BODY, [NEW], { now: NOW })).toEqual({ ok: true });
    expect(checkSignature(header, Buffer.from(BODY), [NEW], { now: NOW + 59_000 })).toEqual({ ok: true });
    expect(checkSignature(header, BODY, [NEW], { now: NOW - 59_000 })).toEqual({ ok: true });
  });

  it('refuses an unsigned request, a malformed header, or a body that is not the one signed', () => {
    expect(checkSignature(undefined, BODY, [NEW], { now: NOW })).toEqual({ ok: false, reason: expect.stringMatching(/not signed/) });
    expect(checkSignature('v1=abc', BODY, [NEW], { now: NOW })).toEqual({ ok: false, reason: expect.stringMatching(/malformed/) });
    expect(checkSignature(`t=${NOW / 1000}`, BODY, [NEW], { now: NOW })).toEqual({ ok: false, reason: expect.stringMatching(/malformed/) });
    const header = signatureFor(BODY, NEW, NOW);
    expect(checkSignature(header, BODY.replace('sdl', 'sdl __typename'), [NEW], { now: NOW })).toEqual({ ok: false, reason: 'the signature does not match' });
    expect(checkSignature(header, `${BODY} `, [NEW], { now: NOW })).toEqual({ ok: false, reason: 'the signature does not match' });
  });

  it('refuses a stale or future timestamp, so a captured request cannot be replayed later', () => {
    const header = signatureFor(BODY, NEW, NOW);
    expect(checkSignature(header, BODY, [NEW], { now: NOW + 61_000 })).toEqual({ ok: false, reason: expect.stringMatching(/timestamp/) });
    expect(checkSignature(header, BODY, [NEW], { now: NOW - 61_000 })).toEqual({ ok: false, reason: expect.stringMatching(/timestamp/) });
    // Moving the timestamp forward breaks the signature.
    const replayed = header.replace(/^t=\d+/, `t=${NOW / 1000 + 120}`);
    expect(checkSignature(replayed, BODY, [NEW], { now: NOW + 120_000 })).toEqual({ ok: false, reason: 'the signature does not match' });
  });

  it('rotates: signed with the first secret, accepted with any listed, refused once a secret is rotated out', () => {
    const byOld = signatureFor(BODY, OLD, NOW);
    expect(checkSignature(byOld, BODY, [NEW, OLD], { now: NOW })).toEqual({ ok: true });
    expect(checkSignature(signatureFor(BODY, NEW, NOW), BODY, [NEW, OLD], { now: NOW })).toEqual({ ok: true });
    expect(checkSignature(byOld, BODY, [NEW], { now: NOW })).toEqual({ ok: false, reason: 'the signature does not match' });
    // A signer mid-rotation may send one v1 per secret.
    const both = `${byOld},v1=${signatureFor(BODY, NEW, NOW).split('v1=')[1]}`;
    expect(checkSignature(both, BODY, [NEW], { now: NOW })).toEqual({ ok: true });
  });

  it('signs a WebSocket handshake over its request target, which no HTTP body can pass for', () => {
    const header = signatureFor(handshakeSigningInput('/graphql'), NEW, NOW);
    expect(checkSignature(header, handshakeSigningInput('/graphql'), [NEW], { now: NOW })).toEqual({ ok: true });
    expect(checkSignature(header, handshakeSigningInput('/other'), [NEW], { now: NOW }).ok).toBe(false);
    expect(checkSignature(header, '', [NEW], { now: NOW }).ok).toBe(false);
  });
});

describe('resolveSigning', () => {
  it('is off in development and tests unless set, and required in production', () => {
    expect(resolveSigning({ NODE_ENV: 'development', SUBGRAPH_SIGNING_SECRETS: [] })).toEqual({ mode: 'off', secrets: [] });
    expect(resolveSigning({ NODE_ENV: 'test', SUBGRAPH_SIGNING_SECRETS: [NEW] })).toEqual({ mode: 'off', secrets: [NEW] });
    expect(resolveSigning({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [NEW, OLD] })).toEqual({ mode: 'required', secrets: [NEW, OLD] });
    expect(resolveSigning({ NODE_ENV: 'development', SUBGRAPH_SIGNATURE: 'required', SUBGRAPH_SIGNING_SECRETS: [NEW] }).mode).toBe('required');
  });

  it('stops production without a secret, with a message saying what to set, unless explicitly off', () => {
    expect(() => resolveSigning({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [] })).toThrow(ConfigError);
    expect(() => resolveSigning({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [] })).toThrow(/SUBGRAPH_SIGNING_SECRETS: required in production.*SUBGRAPH_SIGNATURE=off/s);
    expect(() => resolveSigning({ NODE_ENV: 'development', SUBGRAPH_SIGNATURE: 'required', SUBGRAPH_SIGNING_SECRETS: [] })).toThrow(/SUBGRAPH_SIGNATURE=required/);
    expect(resolveSigning({ NODE_ENV: 'production', SUBGRAPH_SIGNATURE: 'off', SUBGRAPH_SIGNING_SECRETS: [] })).toEqual({ mode: 'off', secrets: [] });
  });

  it('refuses secrets too short to be one', () => {
    expect(() => resolveSigning({ NODE_ENV: 'production', SUBGRAPH_SIGNING_SECRETS: [NEW, 'hunter2'] })).toThrow(/at least 32 characters/);
  });
});
