-- Answers to requests that carried an Idempotency-Key, kept for replays (see IdempotencyFilter).
create table idempotency_key (
    principal             text        not null,
    idem_key              text        not null,
    method                text        not null,
    path                  text        not null,
    request_hash          bytea       not null,
    state                 text        not null check (state in ('IN_PROGRESS', 'COMPLETED')),
    response_status       int,
    response_content_type text,
    response_location     text,
    response_body         bytea,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    primary key (principal, idem_key)
);
create index idempotency_key_created_idx on idempotency_key (created_at);
