-- Regions nest county > town > village > group; households belong to a village (and optionally a
-- group of it); members belong to a household.
create table region (
    id         bigint generated always as identity primary key,
    parent_id  bigint references region (id),
    level      text        not null check (level in ('COUNTY', 'TOWN', 'VILLAGE', 'GROUP')),
    code       text        not null unique,
    name       text        not null,
    time_zone  text        not null default 'Asia/Shanghai',
    created_at timestamptz not null default now(),
    check ((level = 'COUNTY') = (parent_id is null))
);
create index region_parent_idx on region (parent_id, id);

create table household (
    id         bigint generated always as identity primary key,
    village_id bigint      not null references region (id),
    group_id   bigint references region (id),
    number     text        not null,
    head_name  text        not null,
    address    text,
    created_at timestamptz not null default now(),
    unique (village_id, number)
);
create index household_village_idx on household (village_id, id);

create table member (
    id           bigint generated always as identity primary key,
    household_id bigint      not null references household (id),
    name         text        not null,
    relation     text        not null,
    birth_year   int check (birth_year between 1900 and 2100),
    created_at   timestamptz not null default now()
);
create index member_household_idx on member (household_id, id);
