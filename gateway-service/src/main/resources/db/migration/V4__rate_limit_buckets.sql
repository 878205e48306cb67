-- Per-tenant token buckets of the rate limits (Bucket4j's PostgreSQL proxy manager, select for
-- update): one row per tenant, its serialised state; shared by every gateway instance.
create table rate_limit_buckets (
    tenant     text primary key,
    state      bytea,
    expires_at bigint
);
