-- audit.file_load: 1 row = 1 landing file seen by the loader (a content version of a file path).
create table audit.file_load (
    load_id bigint generated always as identity primary key,
    file_kind text not null,
    file_name text not null,
    ingestion_date date not null,
    content_sha256 text not null,
    size_bytes bigint not null,
    status text not null,
    rows_read integer not null default 0,
    rows_accepted integer not null default 0,
    rows_rejected integer not null default 0,
    message text,
    duplicate_of bigint references audit.file_load (load_id),
    run_id text,
    started_at timestamptz not null,
    finished_at timestamptz,
    duration_ms integer,
    constraint file_load_status_chk check (status in ('LOADED', 'REFUSED', 'DUPLICATE', 'IGNORED')),
    constraint file_load_rows_balance_chk check (rows_read = rows_accepted + rows_rejected),
    constraint file_load_path_version_uq unique (file_name, content_sha256)
);
-- A given content is loaded (or refused) once per file kind, whatever folder it was dropped in.
create unique index file_load_content_uq on audit.file_load (file_kind, content_sha256)
where status in ('LOADED', 'REFUSED');

-- audit.rejected_row: 1 row = 1 input row that did not make it into raw, with the reason.
create table audit.rejected_row (
    rejected_row_id bigint generated always as identity primary key,
    load_id bigint not null references audit.file_load (load_id),
    file_name text not null,
    line_no integer not null,
    field_name text,
    reason text not null,
    raw_text text not null
);
create index rejected_row_load_idx on audit.rejected_row (load_id);

-- audit.dq_result: 1 row = 1 control evaluated in 1 run (for 1 month, or overall).
create table audit.dq_result (
    dq_result_id bigint generated always as identity primary key,
    run_id text not null,
    checked_at timestamptz not null default now(),
    check_name text not null,
    month_key date,
    status text not null,
    observed numeric,
    expected numeric,
    details text,
    constraint dq_result_status_chk check (status in ('PASS', 'FAIL'))
);
create index dq_result_run_idx on audit.dq_result (run_id);

-- audit.month_freeze: 1 row = 1 freeze of 1 month (restatements add a new row with freeze_seq + 1).
create table audit.month_freeze (
    freeze_id bigint generated always as identity primary key,
    month_key date not null,
    freeze_seq integer not null,
    is_restatement boolean not null default false,
    reason text,
    run_id text not null,
    frozen_at timestamptz not null default now(),
    active_customers integer not null,
    new_customers integer not null,
    repeat_customers integer not null,
    orders_count bigint not null,
    total_net_amount_aed numeric(18, 2) not null,
    constraint month_freeze_seq_uq unique (month_key, freeze_seq),
    constraint month_freeze_first_day_chk check (extract(day from month_key) = 1)
);

-- audit.late_arrival: 1 row = 1 order change that arrived after its month froze.
create table audit.late_arrival (
    late_arrival_id bigint generated always as identity primary key,
    order_id text not null,
    month_key date not null,
    change_kind text not null,
    details text,
    affects_activity boolean not null,
    load_id bigint references audit.file_load (load_id),
    run_id text not null,
    detected_at timestamptz not null default now(),
    restated_in_freeze_id bigint references audit.month_freeze (freeze_id),
    constraint late_arrival_kind_chk check (change_kind in ('NEW', 'CHANGED', 'REMOVED')),
    constraint late_arrival_once_uq unique (order_id, month_key, load_id)
);
create index late_arrival_month_idx on audit.late_arrival (month_key);
