-- A village's rule for star levels (道德星级) on the boards of one kind: stars by thresholds on
-- the period's score, or by shares of the ranking. steps pair star levels with their bound:
-- the minimum score (THRESHOLD) or the top percentage of the ranked households (SHARE).
create table star_rule (
    village_id  bigint   not null references region (id),
    kind_id     bigint   not null references point_kind (id),
    period      text     not null check (period in ('MONTH', 'QUARTER', 'YEAR', 'ALL')),
    mode        text     not null check (mode in ('THRESHOLD', 'SHARE')),
    step_stars  int[]    not null,
    step_bounds bigint[] not null,
    updated_at  timestamptz not null default now(),
    primary key (village_id, kind_id),
    check (cardinality(step_stars) = cardinality(step_bounds) and cardinality(step_stars) between 1 and 5)
);
