-- 爱心捐赠: available points of a transferable kind given to a neighbouring household.
-- (V10 is left to the boards feature, built alongside.)
create table donation_policy (
    village_id           bigint primary key references region (id),
    daily_cap            bigint  not null check (daily_cap > 0),
    monthly_cap          bigint  not null check (monthly_cap > 0),
    minimum              bigint  not null check (minimum > 0),
    assistance_list_only boolean not null
);

-- The village's assistance list (困难户): households that may receive where the village says so.
create table assistance_household (
    household_id bigint primary key references household (id),
    village_id   bigint      not null references region (id),
    reason       text        not null,
    listed_by    bigint      not null references app_user (id),
    listed_at    timestamptz not null default now()
);

create table donation (
    id                     bigint generated always as identity primary key,
    village_id             bigint      not null references region (id),
    donor_household_id     bigint      not null references household (id),
    donor_user_id          bigint      not null references app_user (id),
    recipient_household_id bigint      not null references household (id),
    -- For member-owned kinds (爱心存折 where the county lets it be given): whose accounts moved.
    donor_member_id        bigint references member (id),
    recipient_member_id    bigint references member (id),
    kind_id                bigint      not null references point_kind (id),
    points                 bigint      not null check (points > 0),
    message                text,
    anonymous              boolean     not null,
    transaction_id         bigint      not null unique references journal_transaction (id),
    donated_at             timestamptz not null,
    check (donor_household_id <> recipient_household_id)
);
create index donation_donor_idx on donation (donor_household_id, donated_at);
create index donation_recipient_idx on donation (recipient_household_id, id);
create index donation_village_idx on donation (village_id, donated_at);
