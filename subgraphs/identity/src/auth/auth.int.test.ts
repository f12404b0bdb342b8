import { Secret, TOTP } from 'otpauth';
import { SESSIONS_REVOKED, type SessionsRevoked } from '@atrium/kit';
import { waitFor } from '@atrium/kit/testing';
import { AUTH_FIELDS, claims, startIdentity, type Harness } from '../testing/harness';

const PASSWORD = 'a long enough password';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) }`;
const ME = `{ me { id email name roles mfaEnabled createdAt } }`;
const CHANGE_PASSWORD = `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;

/** The authenticator app of a test: codes for now, or for `offsetSteps` 30-second steps later. */
const authenticator = (secret: string) => {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return (offsetSteps = 0) => totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
};

/** A code that none of the steps the server accepts (previous, current, next) would produce. */
const wrongCode = (code: (offsetSteps?: number) => string) => {
  const accepted = new Set([code(-1), code(0), code(1), code(2)]);
  return ['123456', '234567', '345678', '456789', '567890'].find((c) => !accepted.has(c))!;
};

describe('identity: sessions and tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startIdentity('identity_auth');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers a member, logs in with the e-mail in any case, reads me, refreshes, and logs out for good', async () => {
    const registered = await h.register('Alice@Example.com', PASSWORD, 'Alice');
    expect(registered.user.roles).toEqual(['MEMBER']);
    expect(registered.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const issued = claims(registered.accessToken);
    expect(issued).toMatchObject({ sub: registered.user.id, roles: ['MEMBER'], scope: '', iss: 'atrium-identity', aud: 'atrium' });
    expect(issued.exp - issued.iat).toBe(900);
    expect(new Date(registered.expiresAt).getTime()).toBe(issued.exp * 1000);

    const login = await h.login('alice@EXAMPLE.com', PASSWORD);
    expect(login.user.id).toBe(registered.user.id);
    expect(claims(login.accessToken).sid).not.toBe(issued.sid); // a new session per login

    const me = await h.gql(ME, {}, login.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id: registered.user.id, email: 'Alice@Example.com', name: 'Alice', roles: ['MEMBER'], mfaEnabled: false });

    const refreshed = await h.gql(REFRESH, { t: login.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const next = refreshed.data!.refreshSession;
    expect(next.refreshToken).not.toBe(login.refreshToken);
    expect(claims(next.accessToken).sid).toBe(claims(login.accessToken).sid); // same session (family)
    expect((await h.gql(ME, {}, next.accessToken)).data!.me.id).toBe(registered.user.id);

    expect((await h.gql(LOGOUT, { t: next.refreshToken })).data).toEqual({ logout: true });
    const after = await h.gql(REFRESH, { t: next.refreshToken });
    expect(after.data).toBeNull();
    expect(after.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    // Idempotent, and an unknown token is no error either.
    expect((await h.gql(LOGOUT, { t: next.refreshToken })).data).toEqual({ logout: true });
    expect((await h.gql(LOGOUT, { t: 'not-a-token' })).data).toEqual({ logout: true });
    // Another session of the same user is unaffected.
    expect((await h.gql(REFRESH, { t: registered.refreshToken })).errors).toBeUndefined();
  });

  it('announces a registration as one user.registered event, and a refused duplicate as none', async () => {
    const session = await h.register('announced@example.com', PASSWORD, 'Announced');
    await h.gql(REGISTER, { input: { email: 'ANNOUNCED@example.com', password: PASSWORD, name: 'Twin' } });
    const mine = () => h.events.all().then((all) => all.filter((e) => e.type === 'user.registered' && (e.data as { email: string }).email.toLowerCase() === 'announced@example.com'));
    await waitFor(async () => (await mine()).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    const [event, ...others] = await mine();
    expect(others).toEqual([]);
    expect(event).toMatchObject({ producer: 'identity', data: { userId: claims(session.accessToken).sub, name: 'Announced', roles: ['MEMBER'] } });
  });

  it('refuses a second account for the same e-mail in another letter case', async () => {
    await h.register('Dup@Example.com');
    const res = await h.gql(REGISTER, { input: { email: 'dup@example.COM', password: PASSWORD, name: 'Dup' } });
    expect(res.data).toBeNull();
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(res.errors![0].message).toMatch(/already registered/);
  });

  it.each([
    ['a short password', { email: 'short@example.com', password: 'too short', name: 'S' }, 'input.password'],
    ['a malformed e-mail', { email: 'not-an-email', password: PASSWORD, name: 'S' }, 'input.email'],
    ['a blank name', { email: 'blank@example.com', password: PASSWORD, name: '   ' }, 'input.name'],
  ])('answers %s with BAD_USER_INPUT naming the field', async (_what, input, field) => {
    const res = await h.gql(REGISTER, { input });
    expect(res.data).toBeNull();
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors![0].message).toContain(`${field}:`);
  });

  it('gives the same answer for an unknown e-mail and a wrong password', async () => {
    await h.register('bob@example.com');
    const wrongPassword = await h.gql(LOGIN, { input: { email: 'bob@example.com', password: 'wrong password!!' } });
    const unknownEmail = await h.gql(LOGIN, { input: { email: 'nobody@example.com', password: PASSWORD } });
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.data).toBeNull();
      expect(res.errors![0]).toMatchObject({ message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('revokes the whole session when a rotated refresh token is presented again', async () => {
    await h.register('carol@example.com');
    const first = await h.login('carol@example.com', PASSWORD);
    const second = (await h.gql(REFRESH, { t: first.refreshToken })).data!.refreshSession;

    const replay = await h.gql(REFRESH, { t: first.refreshToken });
    expect(replay.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    // The newest token of the family dies with it.
    const newest = await h.gql(REFRESH, { t: second.refreshToken });
    expect(newest.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('lets only one of two concurrent exchanges of one refresh token succeed', async () => {
    await h.register('dave@example.com');
    const session = await h.login('dave@example.com', PASSWORD);
    const results = await Promise.all([h.gql(REFRESH, { t: session.refreshToken }), h.gql(REFRESH, { t: session.refreshToken })]);
    expect(results.filter((r) => r.data?.refreshSession).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'UNAUTHENTICATED').length).toBe(1);
  });

  it('refuses garbage and expired refresh tokens', async () => {
    const garbage = await h.gql(REFRESH, { t: 'x'.repeat(43) });
    expect(garbage.errors![0].extensions!.code).toBe('UNAUTHENTICATED');

    await h.register('erin@example.com');
    const session = await h.login('erin@example.com', PASSWORD);
    await h.server.orm.em.getConnection().execute(
      `update refresh_token set expires_at = now() - interval '1 second' where session_id = ?`,
      [claims(session.accessToken).sid],
    );
    const expired = await h.gql(REFRESH, { t: session.refreshToken });
    expect(expired.errors![0]).toMatchObject({ message: 'Invalid or expired refresh token', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it("changes the password, signing out the user's other sessions but not the caller's", async () => {
    await h.register('frank@example.com');
    const here = await h.login('frank@example.com', PASSWORD);
    const elsewhere = await h.login('frank@example.com', PASSWORD);

    const wrong = await h.gql(CHANGE_PASSWORD, { c: 'not my password', n: 'a brand new password' }, here.accessToken);
    expect(wrong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const weak = await h.gql(CHANGE_PASSWORD, { c: PASSWORD, n: 'short' }, here.accessToken);
    expect(weak.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    const anonymous = await h.gql(CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new password' });
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');

    const changed = await h.gql(CHANGE_PASSWORD, { c: PASSWORD, n: 'a brand new password' }, here.accessToken);
    expect(changed.data).toEqual({ changePassword: true });

    expect((await h.gql(REFRESH, { t: elsewhere.refreshToken })).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect((await h.gql(REFRESH, { t: here.refreshToken })).errors).toBeUndefined();
    const old = await h.gql(LOGIN, { input: { email: 'frank@example.com', password: PASSWORD } });
    expect(old.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    await h.login('frank@example.com', 'a brand new password');
  });

  it('announces each revocation once it commits: a logout, a reused refresh token, a password change (exactly the other live sessions)', async () => {
    const registered = await h.register('heidi@example.com');
    const userId = registered.user.id;
    const heard: SessionsRevoked[] = [];
    const stream = h.server.pubSub.subscribe(SESSIONS_REVOKED, (e) => e.userId === userId);
    await stream.ready;
    void (async () => {
      for await (const event of stream) heard.push(event);
    })();
    try {
      const [a, b, c, d] = [await h.login('heidi@example.com', PASSWORD), await h.login('heidi@example.com', PASSWORD), await h.login('heidi@example.com', PASSWORD), await h.login('heidi@example.com', PASSWORD)];
      const sid = (s: { accessToken: string }) => claims(s.accessToken).sid as string;

      const before = Date.now();
      await h.gql(LOGOUT, { t: a.refreshToken });
      await waitFor(() => heard.length === 1, { what: 'the logout to be announced' });
      expect(heard[0]).toMatchObject({ userId, sessionIds: [sid(a)], reason: 'logout' });
      // When every access token of the session is expired: now + ACCESS_TOKEN_TTL (900 s).
      const expireBy = Date.parse(heard[0].tokensExpireBy);
      expect(expireBy).toBeGreaterThanOrEqual(before + 900_000);
      expect(expireBy).toBeLessThanOrEqual(Date.now() + 900_000);
      // Nothing newly revoked, nothing announced.
      await h.gql(LOGOUT, { t: a.refreshToken });
      await h.gql(LOGOUT, { t: 'not-a-token' });

      await h.gql(REFRESH, { t: b.refreshToken });
      await h.gql(REFRESH, { t: b.refreshToken }); // reused: the whole session goes
      await waitFor(() => heard.length === 2, { what: 'the reuse to be announced' });
      expect(heard[1]).toMatchObject({ userId, sessionIds: [sid(b)], reason: 'refresh token reused' });

      expect((await h.gql(CHANGE_PASSWORD, { c: 'not my password', n: 'another brand new one' }, c.accessToken)).errors).toBeDefined();
      expect((await h.gql(CHANGE_PASSWORD, { c: PASSWORD, n: 'another brand new one' }, c.accessToken)).data).toEqual({ changePassword: true });
      await waitFor(() => heard.length === 3, { what: 'the password change to be announced' });
      expect(heard[2]).toMatchObject({ userId, reason: 'password changed' });
      expect([...heard[2].sessionIds].sort()).toEqual([sid(registered), sid(d)].sort()); // not the caller's, not those already revoked

      await h.gql(LOGOUT, { t: c.refreshToken }); // a marker: anything announced before it has arrived
      await waitFor(() => heard.length >= 4, { what: 'the last logout to be announced' });
      expect(heard.map((e) => e.sessionIds)).toEqual([[sid(a)], [sid(b)], heard[2].sessionIds, [sid(c)]]);
    } finally {
      await stream.return();
    }
  });

  it('updates the profile name, trimmed, and refuses a blank one', async () => {
    const grace = await h.register('grace@example.com', PASSWORD, 'Grace');
    const UPDATE = `mutation($name: String!) { updateProfile(input: { name: $name }) { id name } }`;
    const updated = await h.gql(UPDATE, { name: '  Grace Hopper ' }, grace.accessToken);
    expect(updated.data).toEqual({ updateProfile: { id: grace.user.id, name: 'Grace Hopper' } });
    const blank = await h.gql(UPDATE, { name: '  ' }, grace.accessToken);
    expect(blank.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect((await h.gql(UPDATE, { name: 'Anonymous' })).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  describe('MFA', () => {
    const ENABLE = `mutation { enableMfa { secret otpauthUrl } }`;
    const CONFIRM = `mutation($code: String!) { confirmMfa(code: $code) }`;
    const DISABLE = `mutation($code: String!) { disableMfa(code: $code) }`;

    /** Registers `email` and turns MFA on; returns its session and authenticator. */
    async function enrol(email: string) {
      const session = await h.register(email);
      const setup = (await h.gql(ENABLE, {}, session.accessToken)).data!.enableMfa;
      expect(setup.otpauthUrl).toMatch(new RegExp(`^otpauth://totp/Atrium:.*secret=${setup.secret}`));
      const code = authenticator(setup.secret);
      expect((await h.gql(CONFIRM, { code: code() }, session.accessToken)).data).toEqual({ confirmMfa: true });
      return { session, code };
    }

    it('is pending until confirmed with a correct code', async () => {
      const session = await h.register('pending@example.com');
      const setup = (await h.gql(ENABLE, {}, session.accessToken)).data!.enableMfa;
      const wrong = await h.gql(CONFIRM, { code: wrongCode(authenticator(setup.secret)) }, session.accessToken);
      expect(wrong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      expect((await h.gql(ME, {}, session.accessToken)).data!.me.mfaEnabled).toBe(false);
      await h.login('pending@example.com', PASSWORD); // no code needed yet
    });

    it('then requires the code at login: MFA_REQUIRED without it, MFA_INVALID when wrong or replayed', async () => {
      const { session, code } = await enrol('mfa@example.com');
      expect((await h.gql(ME, {}, session.accessToken)).data!.me.mfaEnabled).toBe(true);

      const missing = await h.gql(LOGIN, { input: { email: 'mfa@example.com', password: PASSWORD } });
      expect(missing.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MFA_REQUIRED' });
      const wrong = await h.gql(LOGIN, { input: { email: 'mfa@example.com', password: PASSWORD, totp: wrongCode(code) } });
      expect(wrong.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MFA_INVALID' });
      // A wrong password with MFA on still says only "invalid e-mail or password".
      const badPassword = await h.gql(LOGIN, { input: { email: 'mfa@example.com', password: 'wrong password!!', totp: code(1) } });
      expect(badPassword.errors![0]).toMatchObject({ message: 'Invalid email or password' });
      expect(badPassword.errors![0].extensions!.reason).toBeUndefined();

      // The code of the next step (the window allows one step of drift); the confirmation used this step's.
      const next = code(1);
      const ok = await h.login('mfa@example.com', PASSWORD, next);
      expect(ok.user.id).toBe(session.user.id);
      const replay = await h.gql(LOGIN, { input: { email: 'mfa@example.com', password: PASSWORD, totp: next } });
      expect(replay.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MFA_INVALID' });

      const again = await h.gql(ENABLE, {}, session.accessToken);
      expect(again.errors![0].extensions!.code).toBe('CONFLICT');
    });

    it('is turned off only with a valid code', async () => {
      const { session, code } = await enrol('mfa-off@example.com');
      const wrong = await h.gql(DISABLE, { code: wrongCode(code) }, session.accessToken);
      expect(wrong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
      expect((await h.gql(DISABLE, { code: code(1) }, session.accessToken)).data).toEqual({ disableMfa: true });
      expect((await h.gql(ME, {}, session.accessToken)).data!.me.mfaEnabled).toBe(false);
      await h.login('mfa-off@example.com', PASSWORD);
    });
  });
});
