-- mart.vw_cleaning_summary: the POS log data-loss report. 1 row = 1 cleaning category of 1 load
-- (scope 'load') or of all loads together (scope 'overall'), including the rows rejected at load time, with
-- their share of the rows and of the money moved (|Quantity x UnitPrice|, so refunds do not cancel sales),
-- and per scope the share of rows and revenue that reach customer metrics (activity, RFM, CLV, churn).
create or replace view mart.vw_cleaning_summary as
with per_load as (
    select
        s.load_id,
        fl.file_name,
        s.category,
        s.rows_count,
        s.revenue,
        s.feeds_customer_metrics,
        s.feeds_returns
    from audit.cleaning_summary as s
    inner join audit.file_load as fl on s.load_id = fl.load_id

    union all

    select
        fl.load_id,
        fl.file_name,
        'rejected' as category,
        fl.rows_rejected as rows_count,
        0 as revenue,
        false as feeds_customer_metrics,
        false as feeds_returns
    from audit.file_load as fl
    where fl.file_kind = 'pos_transactions' and fl.rows_rejected > 0
),

scoped as (
    select
        'load' as scope,
        load_id,
        file_name,
        category,
        rows_count,
        revenue,
        feeds_customer_metrics,
        feeds_returns
    from per_load

    union all

    select
        'overall' as scope,
        null as load_id,
        null as file_name,
        category,
        sum(rows_count) as rows_count,
        sum(revenue) as revenue,
        bool_or(feeds_customer_metrics) as feeds_customer_metrics,
        bool_or(feeds_returns) as feeds_returns
    from per_load
    group by category
),

final as (
    select
        scope,
        load_id,
        file_name,
        category,
        rows_count,
        revenue,
        round(rows_count::numeric / nullif(sum(rows_count) over w, 0), 4) as row_share,
        round(abs(revenue) / nullif(sum(abs(revenue)) over w, 0), 4) as revenue_share,
        feeds_customer_metrics,
        feeds_returns,
        round(
            (sum(rows_count) filter (where feeds_customer_metrics) over w)::numeric / nullif(sum(rows_count) over w, 0),
            4
        ) as rows_reaching_metrics_share,
        round(
            sum(abs(revenue)) filter (where feeds_customer_metrics) over w / nullif(sum(abs(revenue)) over w, 0), 4
        ) as revenue_reaching_metrics_share
    from scoped
    window w as (partition by scope, load_id)
)

select * from final;
