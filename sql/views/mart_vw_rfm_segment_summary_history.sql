-- mart.vw_rfm_segment_summary_history: 1 row = 1 RFM segment of 1 published score snapshot (daily ones of the
-- retention window, month ends forever). Customers, their share, 365-day revenue and orders per customer, AOV,
-- days since the last order, actives of the last 30 days, inactives over 90 days, and the segment's value
-- group (High Value, Growth Potential, At Risk, Recovery/Lost). Materialized (one pass over every snapshot),
-- refreshed after each publish by analytics.marts.
create materialized view mart.vw_rfm_segment_summary_history as
with scored as (
    select
        r.snapshot_date,
        r.segment_code,
        r.segment_name,
        r.order_count_365_days,
        r.total_spend_365_days,
        r.days_since_last_order
    from core.fact_customer_rfm as r
),

per_segment as (
    select
        snapshot_date,
        segment_code,
        segment_name,
        count(*) as customers,
        sum(total_spend_365_days) as revenue_365d_aed,
        sum(order_count_365_days) as orders_365d,
        avg(days_since_last_order) as avg_days_since_last_order,
        count(*) filter (where days_since_last_order <= 30) as active_last_30_days,
        count(*) filter (where days_since_last_order > 90) as inactive_over_90_days
    from scored
    group by snapshot_date, segment_code, segment_name
),

final as (
    select
        p.snapshot_date,
        p.segment_code,
        p.segment_name,
        s.value_group,
        s.value_rank,
        p.customers,
        round(p.customers::numeric / sum(p.customers) over (partition by p.snapshot_date), 4) as customer_share,
        p.revenue_365d_aed,
        p.orders_365d,
        round(p.revenue_365d_aed / p.customers, 2) as avg_revenue_per_customer_aed,
        round(p.orders_365d::numeric / p.customers, 2) as avg_orders_per_customer,
        round(p.revenue_365d_aed / nullif(p.orders_365d, 0), 2) as avg_order_value_aed,
        round(p.avg_days_since_last_order, 1) as avg_days_since_last_order,
        p.active_last_30_days,
        p.inactive_over_90_days
    from per_segment as p
    left join core.dim_customer_segment as s
        on s.segment_type = 'rfm' and p.segment_code = s.segment_code
)

select * from final;

create unique index vw_rfm_segment_summary_history_uq
on mart.vw_rfm_segment_summary_history (snapshot_date, segment_code);
