-- Requests that pipelines send on Kafka (ovis.batch.requests.v1, docs/batch.md). The primary key
-- makes a custom_id sent twice by the same tenant one request, answered once.

create table pipeline_requests (
    tenant      varchar(100) not null,
    custom_id   varchar(512) not null,
    endpoint    varchar(100) not null,
    body        jsonb        not null,
    reply_topic varchar(249) not null,
    job_id      varchar(64),
    created_at  timestamptz  not null default now(),
    answered_at timestamptz,
    primary key (tenant, custom_id)
);

create index pipeline_requests_open on pipeline_requests (created_at) where answered_at is null;
