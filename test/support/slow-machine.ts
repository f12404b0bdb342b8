// Suites that start whole supergraphs (e2e) or separate processes and private servers
// (fault) spend most of their hooks waiting on argon2, migrations and process starts. On a
// 2-core machine also running another full test run, that can take minutes: give every
// hook and test of those tiers a budget that only a hang exceeds. Tests still assert
// behaviour and counts, never durations.
jest.setTimeout(180_000);
