-- Evidence photos of claims; the bytes live in the evidence store, the database keeps where and what.
create table claim_evidence (
    id           bigint generated always as identity primary key,
    claim_id     bigint      not null references claim (id),
    storage_key  text        not null unique,
    content_type text        not null check (content_type in ('image/jpeg', 'image/png')),
    size_bytes   int         not null check (size_bytes > 0),
    sha256       bytea       not null,
    uploaded_by  bigint      not null references app_user (id),
    created_at   timestamptz not null default now()
);
create index claim_evidence_claim_idx on claim_evidence (claim_id, id);
