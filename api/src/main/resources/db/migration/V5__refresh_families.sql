-- A refresh-token family is one login. Rotation and revocation lock its row, so a refresh racing a
-- logout (or a reuse detection) can never leave a live token in a revoked family.
create table refresh_family (
    id         uuid primary key,
    user_id    bigint      not null references app_user (id),
    revoked_at timestamptz,
    created_at timestamptz not null default now()
);
insert into refresh_family (id, user_id, revoked_at)
select family_id, min(user_id), max(revoked_at) from refresh_token group by family_id;
alter table refresh_token
    add constraint refresh_token_family_fk foreign key (family_id) references refresh_family (id);
