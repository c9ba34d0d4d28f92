-- Point kinds (存折) are configuration per county: who owns the accounts, whether they reset
-- yearly, and what may be done with them.
create table point_kind (
    id              bigint generated always as identity primary key,
    county_id       bigint  not null references region (id),
    code            text    not null,
    name            text    not null,
    owner           text    not null check (owner in ('HOUSEHOLD', 'MEMBER')),
    reset           text    not null check (reset in ('NEVER', 'YEARLY')),
    spendable       boolean not null,
    transferable    boolean not null,
    may_go_negative boolean not null,
    is_default      boolean not null default false,
    unique (county_id, code)
);
create unique index point_kind_one_default_idx on point_kind (county_id) where is_default;

-- Accounts hold two figures: score (what ranks) and available (what can be spent). Both are the
-- sums of the account's entries; the stored values are kept for fast reads and checked by the
-- verification.
create table account (
    id           bigint generated always as identity primary key,
    village_id   bigint not null references region (id),
    kind_id      bigint not null references point_kind (id),
    owner_type   text   not null check (owner_type in ('HOUSEHOLD', 'MEMBER', 'SYSTEM')),
    household_id bigint references household (id),
    member_id    bigint references member (id),
    system_role  text check (system_role in ('ISSUANCE', 'SINK', 'ESCROW', 'MERCHANT_SETTLEMENT')),
    score        bigint not null default 0,
    available    bigint not null default 0,
    unique nulls not distinct (village_id, kind_id, owner_type, household_id, member_id, system_role),
    check ((owner_type = 'HOUSEHOLD') = (household_id is not null)),
    check ((owner_type = 'MEMBER') = (member_id is not null)),
    check ((owner_type = 'SYSTEM') = (system_role is not null))
);

-- The head of each village's hash chain; locking it serialises appends to that village's journal.
create table journal_chain (
    village_id bigint primary key references region (id),
    last_seq   bigint not null,
    last_hash  bytea  not null
);

-- One movement of points: its entries sum to zero. seq and hash chain each village's journal.
create table journal_transaction (
    id          bigint generated always as identity primary key,
    village_id  bigint      not null references region (id),
    seq         bigint      not null,
    type        text        not null,
    memo        text        not null,
    request_id  text,
    occurred_at timestamptz not null,
    prev_hash   bytea       not null,
    hash        bytea       not null,
    unique (village_id, seq),
    unique (village_id, request_id)
);

create table journal_entry (
    id             bigint generated always as identity primary key,
    transaction_id bigint not null references journal_transaction (id),
    account_id     bigint not null references account (id),
    amount         bigint not null,
    score_delta    bigint not null,
    check (amount <> 0 or score_delta <> 0)
);
create index journal_entry_transaction_idx on journal_entry (transaction_id);
create index journal_entry_account_idx on journal_entry (account_id, id);

-- Domain events written in the same transaction as the change, for the relay to deliver.
create table outbox_event (
    id           bigint generated always as identity primary key,
    type         text        not null,
    village_id   bigint,
    payload      jsonb       not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz
);
create index outbox_event_unpublished_idx on outbox_event (id) where published_at is null;
