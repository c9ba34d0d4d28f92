-- The outbox becomes a queue the relay works through: each event is pending until every
-- consumer has handled it, retried with back-off when one fails, and dead after too many
-- failures (an admin lists and retries those). Events of one ordering key (the village) are
-- handled in order, so each user sees their events in order.
alter table outbox_event
    add column ordering_key    bigint      not null default 0,
    add column status          text        not null default 'PENDING'
        check (status in ('PENDING', 'DONE', 'DEAD')),
    add column attempts        int         not null default 0,
    add column next_attempt_at timestamptz not null default now(),
    add column leased_until    timestamptz,
    add column lease_owner     text,
    add column last_error      text;
-- Events from before the relay existed are history, not news: no one is notified of them now.
update outbox_event set status = 'DONE', published_at = coalesce(published_at, now()),
                        ordering_key = coalesce(village_id, 0);
drop index outbox_event_unpublished_idx;
create index outbox_event_pending_idx on outbox_event (ordering_key, id) where status = 'PENDING';
create index outbox_event_dead_idx on outbox_event (village_id, id) where status = 'DEAD';

-- Wakes the relays at commit; one notification per transaction is enough.
create function outbox_event_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('jifen_outbox', '');
    return null;
end $$;
create trigger outbox_event_notify after insert on outbox_event
    for each statement execute function outbox_event_notify();

-- The inbox: one row per user and event, so a redelivered event adds nothing.
create table notification (
    id         bigint generated always as identity primary key,
    user_id    bigint      not null references app_user (id),
    event_id   bigint      not null references outbox_event (id),
    type       text        not null,
    variant    text,
    arguments  jsonb       not null,
    created_at timestamptz not null,
    read_at    timestamptz,
    unique (event_id, user_id)
);
create index notification_user_idx on notification (user_id, id);

-- What each channel did with a notification, so a retried event does not send twice.
create table notification_delivery (
    notification_id bigint      not null references notification (id),
    channel         text        not null,
    outcome         text        not null,
    reason          text,
    at              timestamptz not null default now(),
    primary key (notification_id, channel)
);

-- Which event types reach which channel, per user; no row means the channel's default.
create table notification_preference (
    user_id    bigint  not null references app_user (id),
    event_type text    not null,
    channel    text    not null check (channel in ('LIVE', 'WECHAT', 'SMS')),
    enabled    boolean not null,
    primary key (user_id, event_type, channel)
);

-- WeChat subscribe-message consents: each accepted request allows one message of a template.
create table wechat_subscription (
    openid      text        not null,
    template_id text        not null,
    remaining   int         not null check (remaining >= 0),
    updated_at  timestamptz not null default now(),
    primary key (openid, template_id)
);
