-- Job state of the gateway (its sole writer). See docs/gateway.md.

create table jobs (
    id              varchar(64)  primary key,
    tenant          varchar(100) not null,
    kind            varchar(20)  not null,
    route           varchar(100) not null,
    status          varchar(20)  not null
        constraint jobs_status_known check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    progress        double precision
        constraint jobs_progress_fraction check (progress is null or (progress >= 0 and progress <= 1)),
    message         text,
    request         jsonb        not null,
    result          jsonb,
    error_code      varchar(40),
    error_detail    text,
    idempotency_key varchar(200),
    request_hash    char(64)     not null,
    reply_to        varchar(100),
    -- how many times the job was handed to its first stage
    attempts        integer      not null default 1,
    -- bumped by every applied change (event, cancel); a redelivered event does not bump it
    version         integer      not null default 0,
    created_at      timestamptz  not null,
    updated_at      timestamptz  not null,
    finished_at     timestamptz
);

create unique index jobs_tenant_idempotency_key on jobs (tenant, idempotency_key) where idempotency_key is not null;
create index jobs_tenant_newest on jobs (tenant, created_at desc, id desc);
create index jobs_tenant_status_newest on jobs (tenant, status, created_at desc, id desc);

-- Messages written in the same transaction as the job change they announce; the relay publishes them.
create table outbox (
    id           bigint generated always as identity primary key,
    topic        varchar(249) not null,
    message_key  varchar(200) not null,
    envelope     jsonb        not null,
    created_at   timestamptz  not null default now(),
    published_at timestamptz,
    attempts     integer      not null default 0,
    last_error   text
);

create index outbox_unpublished on outbox (id) where published_at is null;

-- Envelope ids of job events already applied: a redelivered event is recognised and skipped.
create table processed_events (
    envelope_id  varchar(300) primary key,
    job_id       varchar(64)  not null,
    processed_at timestamptz  not null default now()
);

create table media (
    id           varchar(64)  primary key,
    tenant       varchar(100) not null,
    bucket       varchar(100) not null,
    object_key   varchar(400) not null,
    sha256       char(64)     not null,
    content_type varchar(100) not null,
    size         bigint       not null constraint media_size_non_negative check (size >= 0),
    created_at   timestamptz  not null default now(),
    constraint media_tenant_sha256 unique (tenant, sha256)
);
