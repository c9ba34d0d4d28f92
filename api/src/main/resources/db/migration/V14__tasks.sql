-- Volunteer order-taking (点单 · 派单 · 接单). A task's whole reward waits in the village's escrow
-- account of its kind from the moment it is posted; each slot is paid or returned exactly once.
create table task (
    id                  bigint generated always as identity primary key,
    village_id          bigint      not null references region (id),
    group_id            bigint references region (id),
    kind_id             bigint      not null references point_kind (id),
    title               text        not null,
    description         text,
    category            text        not null,
    skills              text,
    slots               int         not null check (slots between 1 and 100),
    reward              bigint      not null check (reward > 0),
    starts_at           timestamptz not null,
    deadline            timestamptz not null,
    -- Where the escrow came from, and so where unpaid reward returns: the village pool
    -- (issuance), a member's or a household's own available points.
    funding             text        not null check (funding in ('VILLAGE', 'MEMBER', 'HOUSEHOLD')),
    funder_member_id    bigint references member (id),
    funder_household_id bigint references household (id),
    posted_by           bigint      not null references app_user (id),
    -- The villager the need is for (the poster, or the elderly villager an admin posted for).
    for_member_id       bigint references member (id),
    for_household_id    bigint references household (id),
    escrow_transaction  bigint      not null unique references journal_transaction (id),
    status              text        not null default 'OPEN' check (status in ('OPEN', 'CANCELLED', 'EXPIRED')),
    created_at          timestamptz not null,
    closed_at           timestamptz,
    check (deadline > starts_at),
    check ((funding = 'MEMBER') = (funder_member_id is not null)),
    check ((funding = 'HOUSEHOLD') = (funder_household_id is not null))
);
create index task_open_idx on task (village_id, starts_at, id) where status = 'OPEN';
create index task_deadline_idx on task (deadline) where status = 'OPEN';

-- One row per slot: grabbing is a conditional update of one OPEN row, so each slot has one
-- volunteer whatever the storm, and a volunteer holds at most one slot of a task.
create table task_slot (
    id                     bigint generated always as identity primary key,
    task_id                bigint      not null references task (id),
    n                      int         not null,
    state                  text        not null default 'OPEN' check (state in ('OPEN', 'DISPATCHED', 'GRABBED',
                               'STARTED', 'COMPLETED', 'DISPUTED', 'PAID', 'RETURNED')),
    volunteer_member_id    bigint references member (id),
    volunteer_household_id bigint references household (id),
    grabbed_at             timestamptz,
    started_at             timestamptz,
    completed_at           timestamptz,
    confirmed_at           timestamptz,
    note                   text,
    photos                 text[],
    minutes                int check (minutes >= 0),
    dispute_reason         text,
    paid_points            bigint check (paid_points >= 0),
    returned_points        bigint check (returned_points >= 0),
    settled_at             timestamptz,
    unique (task_id, n),
    unique (task_id, volunteer_member_id),
    check ((state in ('OPEN', 'RETURNED')) or volunteer_member_id is not null)
);
create index task_slot_open_idx on task_slot (task_id, n) where state = 'OPEN';
create index task_slot_volunteer_idx on task_slot (volunteer_member_id) where volunteer_member_id is not null;
create index task_slot_due_idx on task_slot (state) where state in ('DISPATCHED', 'GRABBED', 'COMPLETED');

-- A village lets volunteers of its whole town see and take its tasks.
create table task_setting (
    village_id bigint primary key references region (id),
    town_wide  boolean not null
);
