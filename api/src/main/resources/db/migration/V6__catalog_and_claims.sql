-- The scoring catalog. Every edit is a new row (version + 1); only one version of a code is
-- current. Claims point at the exact version they were scored under.
create table catalog_item (
    id                bigint generated always as identity primary key,
    village_id        bigint      not null references region (id),
    code              text        not null,
    version           int         not null,
    current           boolean     not null,
    name              text        not null,
    category          text        not null,
    points            int         not null check (points <> 0),
    cap_points        int check (cap_points > 0),
    cap_period        text check (cap_period in ('MONTH', 'QUARTER', 'YEAR')),
    evidence_required boolean     not null default false,
    active_from       date,
    active_until      date,
    created_by        bigint references app_user (id),
    created_at        timestamptz not null default now(),
    unique (village_id, code, version),
    check ((cap_points is null) = (cap_period is null))
);
create unique index catalog_item_current_idx on catalog_item (village_id, code) where current;

-- Village rules of the public workflow.
create table village_settings (
    village_id  bigint primary key references region (id),
    notice_days int not null default 7 check (notice_days between 1 and 60),
    rectify_days int not null default 7 check (rectify_days between 1 and 90)
);

-- Claims: an award or deduction on its way through review and public notice to the ledger.
create table claim (
    id              bigint generated always as identity primary key,
    village_id      bigint      not null references region (id),
    household_id    bigint      not null references household (id),
    item_id         bigint      not null references catalog_item (id),
    points          int         not null,
    source          text        not null check (source in ('SELF_REPORT', 'NEIGHBOUR', 'ORGANISATION', 'SYSTEM')),
    description     text        not null,
    status          text        not null check (status in ('SUBMITTED', 'REJECTED', 'RECTIFICATION', 'RECTIFIED',
                                                           'IN_NOTICE', 'OBJECTED', 'EFFECTIVE')),
    submitted_by    bigint      not null references app_user (id),
    on_behalf_of    bigint references member (id),
    decided_by      bigint references app_user (id),
    decision_reason text,
    rectify_by      timestamptz,
    notice_ends_at  timestamptz,
    transaction_id  bigint references journal_transaction (id),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create index claim_village_status_idx on claim (village_id, status, id);
create index claim_due_idx on claim (notice_ends_at) where status = 'IN_NOTICE';
create index claim_rectify_idx on claim (rectify_by) where status = 'RECTIFICATION';
create index claim_household_item_idx on claim (household_id, item_id);

create table claim_objection (
    id         bigint generated always as identity primary key,
    claim_id   bigint      not null references claim (id),
    user_id    bigint      not null references app_user (id),
    reason     text        not null,
    created_at timestamptz not null default now()
);
