-- OpenAI Files and Batches (docs/batch.md). Bytes live in the object store; these rows say whose
-- they are and where a batch stands, so a restarted gateway picks every batch up where it was.

create table files (
    id          varchar(64)  primary key,
    tenant      varchar(100) not null,
    purpose     varchar(40)  not null,
    filename    varchar(500) not null,
    bytes       bigint       not null constraint files_bytes_non_negative check (bytes >= 0),
    object_key  varchar(400) not null,
    sha256      char(64)     not null,
    created_at  timestamptz  not null
);

create index files_tenant_newest on files (tenant, created_at desc, id desc);

create table batches (
    id                varchar(64)  primary key,
    tenant            varchar(100) not null,
    endpoint          varchar(100) not null,
    input_file_id     varchar(64)  not null,
    completion_window varchar(10)  not null,
    status            varchar(20)  not null
        constraint batches_status_known check (status in ('validating', 'failed', 'in_progress', 'finalizing',
            'completed', 'expired', 'cancelling', 'cancelled')),
    metadata          jsonb,
    -- {"object": "list", "data": [{"code", "message", "param", "line"}]} when validation failed
    errors            jsonb,
    output_file_id    varchar(64),
    error_file_id     varchar(64),
    total             integer      not null default 0,
    completed         integer      not null default 0,
    failed            integer      not null default 0,
    -- set when expiry or a cancel decided the end; finalizing then writes this status
    final_status      varchar(20),
    created_at        timestamptz  not null,
    expires_at        timestamptz  not null,
    in_progress_at    timestamptz,
    finalizing_at     timestamptz,
    completed_at      timestamptz,
    failed_at         timestamptz,
    expired_at        timestamptz,
    cancelling_at     timestamptz,
    cancelled_at      timestamptz
);

create index batches_tenant_newest on batches (tenant, created_at desc, id desc);
-- what the batch runner scans
create index batches_active on batches (created_at) where status in ('validating', 'in_progress', 'finalizing', 'cancelling');

-- One row per input line: its job once submitted, and its output line once the job ended.
create table batch_items (
    batch_id   varchar(64)  not null references batches (id) on delete cascade,
    line       integer      not null,
    custom_id  varchar(512) not null,
    body       jsonb        not null,
    job_id     varchar(64),
    -- true: the line goes to the output file; false: to the error file; null: not finished
    succeeded  boolean,
    output     jsonb,
    primary key (batch_id, line),
    constraint batch_items_custom_id unique (batch_id, custom_id)
);

create index batch_items_open on batch_items (batch_id, line) where output is null;
