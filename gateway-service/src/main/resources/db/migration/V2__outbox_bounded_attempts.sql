-- The outbox can never be blocked by one row (docs/reliability.md): a row that fails is retried
-- after a growing back-off, and after the last attempt (or at once when the broker refuses it
-- outright, e.g. a record over max.request.size) it is given up: its job fails with the reason and
-- the row leaves every later batch.

alter table outbox add column next_attempt_at timestamptz not null default now();
alter table outbox add column given_up_at     timestamptz;

drop index outbox_unpublished;
create index outbox_pending on outbox (id) where published_at is null and given_up_at is null;
