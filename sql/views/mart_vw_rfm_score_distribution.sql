-- mart.vw_rfm_score_distribution: 1 row = 1 rfm_score ('543') of the newest published snapshot, for the R x F
-- heatmap: its R, F and M scores, segment, customers, share, 365-day revenue and orders, AOV. Materialized
-- (an aggregate of every customer), refreshed after each publish by analytics.marts.
create materialized view mart.vw_rfm_score_distribution as
with scored as (
    select
        r.snapshot_date,
        r.rfm_score,
        r.recency_score,
        r.frequency_score,
        r.monetary_score,
        r.segment_code,
        r.segment_name,
        r.order_count_365_days,
        r.total_spend_365_days
    from core.fact_customer_rfm as r
    where r.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
),

final as (
    select
        snapshot_date,
        rfm_score,
        recency_score,
        frequency_score,
        monetary_score,
        segment_code,
        segment_name,
        count(*) as customers,
        round(count(*)::numeric / sum(count(*)) over (), 4) as customer_share,
        sum(total_spend_365_days) as revenue_365d_aed,
        sum(order_count_365_days) as orders_365d,
        round(sum(total_spend_365_days) / nullif(sum(order_count_365_days), 0), 2) as avg_order_value_aed
    from scored
    group by snapshot_date, rfm_score, recency_score, frequency_score, monetary_score, segment_code, segment_name
)

select * from final;

create unique index vw_rfm_score_distribution_uq on mart.vw_rfm_score_distribution (snapshot_date, rfm_score);
