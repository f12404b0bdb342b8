import { Migration } from '@mikro-orm/migrations';

/** identity's first schema: users (case-insensitive unique e-mail), sessions, refresh tokens, signing keys. */
export class Migration20261122000000 extends Migration {
  override async up(): Promise<void> {
    // citext: `unique (email)` then ignores case, and `where email = $1` matches any case.
    this.addSql(`create extension if not exists citext;`);

    this.addSql(`
      create table "user" (
        id uuid primary key,
        email citext not null,
        name text not null,
        password_hash text not null,
        roles text[] not null default '{MEMBER}',
        mfa_enabled boolean not null default false,
        mfa_secret text null,
        mfa_pending_secret text null,
        mfa_last_step integer null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint user_email_unique unique (email),
        constraint user_roles_check check (cardinality(roles) > 0 and roles <@ array['MEMBER', 'MANAGER', 'ADMIN']::text[]),
        constraint user_mfa_check check (not mfa_enabled or mfa_secret is not null)
      );`);
    // Keyset pagination of `users` orders by (created_at, id).
    this.addSql(`create index user_created_at_id_index on "user" (created_at, id);`);

    this.addSql(`
      create table session (
        id uuid primary key,
        user_id uuid not null references "user" (id) on delete cascade,
        created_at timestamptz not null default now(),
        last_used_at timestamptz not null default now(),
        revoked_at timestamptz null,
        revoked_reason text null
      );`);
    this.addSql(`create index session_user_id_index on session (user_id);`);

    this.addSql(`
      create table refresh_token (
        id uuid primary key,
        session_id uuid not null references session (id) on delete cascade,
        token_hash text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz null,
        constraint refresh_token_token_hash_unique unique (token_hash)
      );`);
    this.addSql(`create index refresh_token_session_id_index on refresh_token (session_id);`);

    this.addSql(`
      create table signing_key (
        kid text primary key,
        alg text not null default 'ES256',
        public_jwk jsonb not null,
        private_jwk jsonb not null,
        active boolean not null default false,
        created_at timestamptz not null default now(),
        deactivated_at timestamptz null,
        retired_at timestamptz null,
        constraint signing_key_active_check check (not (active and retired_at is not null))
      );`);
    // At most one key signs at a time, even when replicas race to create or rotate it.
    this.addSql(`create unique index signing_key_one_active on signing_key (active) where active;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists refresh_token;`);
    this.addSql(`drop table if exists session;`);
    this.addSql(`drop table if exists signing_key;`);
    this.addSql(`drop table if exists "user";`);
  }
}
