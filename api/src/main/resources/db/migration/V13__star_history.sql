-- Stars frozen at the close of each period, per village rule: the record of who earned what,
-- kept after the live boards have moved on.
create table star_history (
    village_id bigint      not null references region (id),
    kind_id    bigint      not null references point_kind (id),
    period_key text        not null,
    owner_id   bigint      not null,
    points     bigint      not null,
    rank       int         not null,
    stars      int         not null,
    frozen_at  timestamptz not null,
    primary key (village_id, kind_id, period_key, owner_id)
);
