-- mart.obt_overall_customer_kpis: 1 row = the newest published score snapshot, summarised: customers,
-- revenue, orders, overall AOV (revenue / orders, not a mean of customer AOVs), CLTV and churn figures.
-- Materialized (an aggregate of every customer), refreshed after each publish by analytics.marts.
create materialized view mart.obt_overall_customer_kpis as
select
    snapshot_date,
    count(*) as customers,
    sum(historical_revenue_aed) as total_revenue_aed,
    sum(historical_orders) as total_orders,
    round(sum(historical_revenue_aed) / nullif(sum(historical_orders), 0), 2) as overall_aov_aed,
    round(avg(cltv), 2) as avg_cltv,
    round(avg(predicted_clv_lifetime_aed), 2) as avg_predicted_clv_lifetime_aed,
    count(*) filter (where is_churned) as churned_customers,
    round(avg(is_churned::int), 4) as churn_rate,
    count(*) filter (where churn_risk_category in ('High', 'Critical')) as high_risk_customers,
    round(avg(churn_probability), 4) as avg_churn_probability,
    count(*) filter (where segment_code = 'CHAMPIONS') as champions
from mart.obt_customer_kpis_and_segmentation
group by snapshot_date;

create unique index obt_overall_customer_kpis_uq on mart.obt_overall_customer_kpis (snapshot_date);
