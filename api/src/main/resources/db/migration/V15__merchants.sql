-- 德益联盟: merchants enrolled by a town (or county), the regions they serve, their offers,
-- villages' forbidden goods, and redemptions at the till. Money is integer fen.
create table merchant (
    id             bigint generated always as identity primary key,
    home_region_id bigint      not null references region (id),
    name           text        not null,
    enrolled_by    bigint      not null references app_user (id),
    enrolled_at    timestamptz not null
);
create index merchant_home_idx on merchant (home_region_id);

-- A merchant serves these regions and everything below them.
create table merchant_region (
    merchant_id bigint not null references merchant (id),
    region_id   bigint not null references region (id),
    primary key (merchant_id, region_id)
);

create table merchant_offer (
    id                 bigint generated always as identity primary key,
    merchant_id        bigint  not null references merchant (id),
    title              text    not null,
    type               text    not null check (type in ('PERCENT_OFF', 'AMOUNT_OFF', 'ITEM_EXCHANGE')),
    percent_off        int     check (percent_off between 1 and 100),
    cap_fen            bigint  check (cap_fen > 0),
    amount_off_fen     bigint  check (amount_off_fen > 0),
    item_value_fen     bigint  check (item_value_fen >= 0),
    -- Only items have stock; a conditional decrement keeps it from going below zero.
    stock              int     check (stock >= 0),
    points_cost        bigint  not null check (points_cost >= 0),
    kind_code          text,
    min_stars          int     not null default 0 check (min_stars between 0 and 5),
    min_score          bigint,
    uses_per_period    int     check (uses_per_period > 0),
    use_period         text    check (use_period in ('DAY', 'WEEK', 'MONTH', 'YEAR')),
    valid_from         date,
    valid_until        date,
    goods_category     text    not null default 'general',
    village_subsidised boolean not null default false,
    active             boolean not null default true,
    check ((type = 'PERCENT_OFF') = (percent_off is not null)),
    check ((type = 'AMOUNT_OFF') = (amount_off_fen is not null)),
    check ((type = 'ITEM_EXCHANGE') = (stock is not null and item_value_fen is not null)),
    check ((uses_per_period is null) = (use_period is null))
);
create index merchant_offer_merchant_idx on merchant_offer (merchant_id);

-- Goods a village will not have points spent on (e.g. tobacco, alcohol).
create table village_forbidden_goods (
    village_id bigint not null references region (id),
    category   text   not null,
    primary key (village_id, category)
);

-- One use of a one-time code. The code's nonce is unique: a code is redeemed once, whatever
-- the number of tills that scan it at the same moment.
create table redemption (
    id                 bigint generated always as identity primary key,
    merchant_id        bigint      not null references merchant (id),
    offer_id           bigint      not null references merchant_offer (id),
    village_id         bigint      not null references region (id),
    household_id       bigint      not null references household (id),
    member_id          bigint      not null references member (id),
    kind_id            bigint      not null references point_kind (id),
    code_nonce         bytea       not null unique,
    via                text        not null check (via in ('TOKEN', 'FALLBACK')),
    points             bigint      not null check (points >= 0),
    bill_fen           bigint      not null check (bill_fen >= 0),
    discount_fen       bigint      not null check (discount_fen >= 0),
    payable_fen        bigint      not null check (payable_fen >= 0),
    village_subsidised boolean     not null,
    status             text        not null check (status in ('HELD', 'CAPTURED', 'VOIDED', 'REVERSED')),
    staff_user_id      bigint      not null references app_user (id),
    held_at            timestamptz not null,
    hold_expires_at    timestamptz not null,
    captured_at        timestamptz,
    voided_at          timestamptz,
    reversed_at        timestamptz
);
create index redemption_open_holds_idx on redemption (hold_expires_at) where status = 'HELD';
create index redemption_member_offer_idx on redemption (member_id, offer_id, held_at);
create index redemption_merchant_captured_idx on redemption (merchant_id, captured_at);
create index redemption_merchant_reversed_idx on redemption (merchant_id, reversed_at) where reversed_at is not null;
