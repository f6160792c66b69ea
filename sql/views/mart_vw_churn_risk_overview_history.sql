-- mart.vw_churn_risk_overview_history: 1 row = 1 churn risk category (Low, Medium, High, Critical) of 1
-- published score snapshot: customers, share, predicted lifetime CLV at risk (all of it, and weighted by the
-- churn probability), average probability and score, days since the last order, 90-day orders and spend,
-- and how many customers' order frequency or spend is decreasing. Materialized (one pass over every snapshot
-- of two facts, joined partition by partition), refreshed after each publish by analytics.marts.
create materialized view mart.vw_churn_risk_overview_history as
with risk as (
    select
        c.snapshot_date,
        c.churn_risk_category,
        c.churn_probability,
        c.churn_risk_score,
        c.days_since_last_order,
        c.orders_last_90_days,
        c.spend_last_90_days,
        c.order_frequency_trend,
        c.spend_trend,
        l.predicted_clv_lifetime_aed
    from core.fact_customer_churn_risk as c
    left join core.fact_customer_ltv as l
        on c.snapshot_date = l.snapshot_date and c.customer_id_nat = l.customer_id_nat
),

per_category as (
    select
        snapshot_date,
        churn_risk_category,
        count(*) as customers,
        sum(predicted_clv_lifetime_aed) as clv_at_risk_aed,
        sum(churn_probability * predicted_clv_lifetime_aed) as expected_clv_loss_aed,
        avg(churn_probability) as avg_churn_probability,
        avg(churn_risk_score) as avg_churn_risk_score,
        avg(days_since_last_order) as avg_days_since_last_order,
        avg(orders_last_90_days) as avg_orders_last_90_days,
        avg(spend_last_90_days) as avg_spend_last_90_days_aed,
        count(*) filter (where order_frequency_trend = 'decreasing') as declining_frequency_customers,
        count(*) filter (where spend_trend = 'decreasing') as declining_spend_customers
    from risk
    group by snapshot_date, churn_risk_category
),

final as (
    select
        snapshot_date,
        churn_risk_category,
        array_position(array['Low', 'Medium', 'High', 'Critical'], churn_risk_category) as category_order,
        customers,
        round(customers::numeric / sum(customers) over (partition by snapshot_date), 4) as customer_share,
        clv_at_risk_aed,
        round(expected_clv_loss_aed, 2) as expected_clv_loss_aed,
        round(avg_churn_probability, 4) as avg_churn_probability,
        round(avg_churn_risk_score, 1) as avg_churn_risk_score,
        round(avg_days_since_last_order, 1) as avg_days_since_last_order,
        round(avg_orders_last_90_days, 2) as avg_orders_last_90_days,
        round(avg_spend_last_90_days_aed, 2) as avg_spend_last_90_days_aed,
        declining_frequency_customers,
        declining_spend_customers
    from per_category
)

select * from final;

create unique index vw_churn_risk_overview_history_uq
on mart.vw_churn_risk_overview_history (snapshot_date, churn_risk_category);
