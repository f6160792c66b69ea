-- mart.vw_pipeline_health: 1 row: the state of the pipeline from the audit tables. Files of the latest
-- ingestion date (loaded, refused, rows accepted and rejected) and of all time, the latest data-quality run
-- (controls, failures), late arrivals (all, and those not restated yet), the newest frozen month and
-- restatements, the newest published score snapshot, hours since the last file load, and a status:
-- ATTENTION when the latest drop had a refused file or the latest controls failed, else OK.
create or replace view mart.vw_pipeline_health as
with loads as (
    select
        max(f.ingestion_date) as last_ingestion_date,
        max(f.finished_at) as last_load_finished_at,
        count(*) filter (where f.status = 'LOADED') as files_loaded_total,
        count(*) filter (where f.status = 'REFUSED') as files_refused_total,
        coalesce(sum(f.rows_rejected), 0) as rows_rejected_total
    from audit.file_load as f
),

last_drop as (
    select
        count(*) filter (where f.status = 'LOADED') as files_loaded,
        count(*) filter (where f.status = 'REFUSED') as files_refused,
        coalesce(sum(f.rows_accepted), 0) as rows_accepted,
        coalesce(sum(f.rows_rejected), 0) as rows_rejected
    from audit.file_load as f
    where f.ingestion_date = (select l.last_ingestion_date from loads as l)
),

last_dq_run as (
    select q.run_id from audit.dq_result as q
    order by q.dq_result_id desc limit 1
),

dq as (
    select
        max(q.run_id) as dq_run_id,
        max(q.checked_at) as dq_checked_at,
        count(*) as dq_controls,
        count(*) filter (where q.status = 'FAIL') as dq_failed
    from audit.dq_result as q
    where q.run_id = (select r.run_id from last_dq_run as r)
),

late as (
    select
        count(*) as late_arrivals_total,
        count(*) filter (where a.restated_in_freeze_id is null) as late_arrivals_not_restated,
        max(a.detected_at) as last_late_arrival_at
    from audit.late_arrival as a
),

freezes as (
    select
        max(z.month_key) as last_frozen_month,
        max(z.frozen_at) as last_frozen_at,
        count(*) filter (where z.is_restatement) as restatements
    from audit.month_freeze as z
),

scores as (
    select
        max(s.snapshot_date) as score_snapshot_date,
        max(s.published_at) as score_published_at
    from core.score_snapshot as s
),

final as (
    select
        l.last_ingestion_date,
        l.last_load_finished_at,
        round((extract(epoch from now() - l.last_load_finished_at) / 3600)::numeric, 1) as hours_since_last_load,
        d.files_loaded as last_drop_files_loaded,
        d.files_refused as last_drop_files_refused,
        d.rows_accepted as last_drop_rows_accepted,
        d.rows_rejected as last_drop_rows_rejected,
        l.files_loaded_total,
        l.files_refused_total,
        l.rows_rejected_total,
        q.dq_run_id,
        q.dq_checked_at,
        q.dq_controls,
        q.dq_failed,
        a.late_arrivals_total,
        a.late_arrivals_not_restated,
        a.last_late_arrival_at,
        z.last_frozen_month,
        z.last_frozen_at,
        z.restatements,
        s.score_snapshot_date,
        s.score_published_at,
        case when d.files_refused > 0 or q.dq_failed > 0 then 'ATTENTION' else 'OK' end as status
    from loads as l
    cross join last_drop as d
    cross join dq as q
    cross join late as a
    cross join freezes as z
    cross join scores as s
)

select * from final;
