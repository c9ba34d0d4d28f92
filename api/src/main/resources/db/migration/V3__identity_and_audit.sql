-- People who sign in: villagers (bound to a member through WeChat) and staff (username and
-- password). Roles are granted per region, or per merchant for merchant staff.
create table app_user (
    id            bigint generated always as identity primary key,
    display_name  text        not null,
    member_id     bigint unique references member (id),
    username      text unique,
    password_hash text,
    failed_logins int         not null default 0,
    locked_until  timestamptz,
    created_at    timestamptz not null default now(),
    check ((username is null) = (password_hash is null))
);

create table role_grant (
    id          bigint generated always as identity primary key,
    user_id     bigint not null references app_user (id),
    role        text   not null check (role in ('VILLAGER', 'VOLUNTEER', 'MERCHANT_STAFF', 'REVIEWER',
                                                'VILLAGE_ADMIN', 'TOWN_ADMIN', 'COUNTY_ADMIN', 'SUPERVISOR')),
    region_id   bigint references region (id),
    merchant_id bigint,
    unique nulls not distinct (user_id, role, region_id, merchant_id),
    check ((role = 'MERCHANT_STAFF') = (merchant_id is not null)),
    check (role = 'MERCHANT_STAFF' or region_id is not null)
);
create index role_grant_user_idx on role_grant (user_id);

create table wechat_binding (
    openid   text primary key,
    user_id  bigint      not null references app_user (id),
    bound_at timestamptz not null default now()
);

-- One-time codes a village admin hands a villager to bind their WeChat; only the hash is kept.
create table invite_code (
    id         bigint generated always as identity primary key,
    code_hash  bytea       not null unique,
    member_id  bigint      not null references member (id),
    issued_by  bigint      not null references app_user (id),
    expires_at timestamptz not null,
    used_at    timestamptz,
    created_at timestamptz not null default now()
);

-- Refresh tokens, hashed. A family is one login; rotation marks the old token used, and a used
-- token presented again revokes the whole family.
create table refresh_token (
    token_hash bytea primary key,
    family_id  uuid        not null,
    user_id    bigint      not null references app_user (id),
    expires_at timestamptz not null,
    used_at    timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now()
);
create index refresh_token_family_idx on refresh_token (family_id);

-- Every admin change: who, for whom, what, where, when, before and after.
create table audit_entry (
    id                     bigint generated always as identity primary key,
    actor_user_id          bigint      not null references app_user (id),
    on_behalf_of_member_id bigint references member (id),
    region_id              bigint references region (id),
    action                 text        not null,
    subject                text        not null,
    before                 jsonb,
    after                  jsonb,
    at                     timestamptz not null default now()
);
create index audit_entry_region_idx on audit_entry (region_id, id);

-- Personal data at rest: AES-GCM ciphertext plus a keyed hash for exact look-ups.
alter table member
    add column phone_cipher     bytea,
    add column phone_lookup     bytea,
    add column id_number_cipher bytea,
    add column id_number_lookup bytea;
create index member_phone_lookup_idx on member (phone_lookup);
create index member_id_number_lookup_idx on member (id_number_lookup);
