-- mart.vw_clv_tier_summary_history: 1 row = 1 value tier (core.dim_customer_tier: Platinum, Gold, Silver,
-- Bronze) of 1 published score snapshot: customers, share, historical revenue and CLV, predicted 1-year and
-- lifetime CLV (sums and averages), AOV, orders per month, tenure, P(alive), and the tier's share of the
-- snapshot's predicted lifetime value. CLV/CAC waits for acquisition costs (core.fact_customer_acquisition).
-- Materialized (one pass over every snapshot), refreshed after each publish by analytics.marts.
create materialized view mart.vw_clv_tier_summary_history as
with valued as (
    select
        l.snapshot_date,
        l.value_tier,
        l.historical_revenue_aed,
        l.historical_clv_aed,
        l.predicted_clv_1y_aed,
        l.predicted_clv_lifetime_aed,
        l.avg_order_value_aed,
        l.orders_per_month,
        l.tenure_months,
        l.probability_alive
    from core.fact_customer_ltv as l
),

per_tier as (
    select
        snapshot_date,
        value_tier,
        count(*) as customers,
        sum(historical_revenue_aed) as historical_revenue_aed,
        sum(historical_clv_aed) as historical_clv_aed,
        sum(predicted_clv_1y_aed) as predicted_clv_1y_aed,
        sum(predicted_clv_lifetime_aed) as predicted_clv_lifetime_aed,
        avg(historical_clv_aed) as avg_historical_clv_aed,
        avg(predicted_clv_lifetime_aed) as avg_predicted_clv_lifetime_aed,
        avg(avg_order_value_aed) as avg_order_value_aed,
        avg(orders_per_month) as avg_orders_per_month,
        avg(tenure_months) as avg_tenure_months,
        avg(probability_alive) as avg_probability_alive
    from valued
    group by snapshot_date, value_tier
),

final as (
    select
        p.snapshot_date,
        p.value_tier,
        t.tier_rank,
        p.customers,
        round(p.customers::numeric / sum(p.customers) over by_snapshot, 4) as customer_share,
        p.historical_revenue_aed,
        p.historical_clv_aed,
        p.predicted_clv_1y_aed,
        p.predicted_clv_lifetime_aed,
        round(p.avg_historical_clv_aed, 2) as avg_historical_clv_aed,
        round(p.avg_predicted_clv_lifetime_aed, 2) as avg_predicted_clv_lifetime_aed,
        round(p.avg_order_value_aed, 2) as avg_order_value_aed,
        round(p.avg_orders_per_month, 4) as avg_orders_per_month,
        round(p.avg_tenure_months, 1) as avg_tenure_months,
        round(p.avg_probability_alive, 4) as avg_probability_alive,
        round(p.predicted_clv_lifetime_aed / nullif(sum(p.predicted_clv_lifetime_aed) over by_snapshot, 0), 4)
            as predicted_value_share
    from per_tier as p
    left join core.dim_customer_tier as t
        on t.tier_type = 'clv_value' and p.value_tier = t.tier_code
    window by_snapshot as (partition by p.snapshot_date)
)

select * from final;

create unique index vw_clv_tier_summary_history_uq on mart.vw_clv_tier_summary_history (snapshot_date, value_tier);
