-- The black board (黑榜) is off unless a village turns it on; a deduction leaves it when the
-- household has put the matter right, though the points stay deducted.
create table board_setting (
    village_id  bigint primary key references region (id),
    black_board boolean not null default false
);
alter table claim add column rectified_at timestamptz;
create index claim_black_board_idx on claim (village_id, updated_at)
    where status = 'EFFECTIVE' and points < 0 and rectified_at is null;
