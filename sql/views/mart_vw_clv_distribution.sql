-- mart.vw_clv_distribution: 1 row = 1 bucket of predicted lifetime CLV in AED (below 100, 100-250, 250-500,
-- 500-1,000, 1,000-2,500, 2,500-5,000, 5,000-10,000, 10,000 and more; 'Not predicted' when the models could
-- not be fitted) of the newest published snapshot: customers, share, historical and predicted value, AOV,
-- orders per month, tenure. Buckets without customers have no row. Materialized (an aggregate of every
-- customer), refreshed after each publish by analytics.marts.
create materialized view mart.vw_clv_distribution as
with edges as (
    select array[100, 250, 500, 1000, 2500, 5000, 10000]::numeric[] as lower_bounds
),

valued as (
    select
        l.snapshot_date,
        case
            when l.predicted_clv_lifetime_aed is null then 99
            else width_bucket(l.predicted_clv_lifetime_aed, (select e.lower_bounds from edges as e))
        end as bucket_order,
        l.historical_clv_aed,
        l.predicted_clv_lifetime_aed,
        l.avg_order_value_aed,
        l.orders_per_month,
        l.tenure_months
    from core.fact_customer_ltv as l
    where l.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
),

per_bucket as (
    select
        snapshot_date,
        bucket_order,
        count(*) as customers,
        sum(historical_clv_aed) as historical_clv_aed,
        sum(predicted_clv_lifetime_aed) as predicted_clv_lifetime_aed,
        avg(predicted_clv_lifetime_aed) as avg_predicted_clv_lifetime_aed,
        avg(avg_order_value_aed) as avg_order_value_aed,
        avg(orders_per_month) as avg_orders_per_month,
        avg(tenure_months) as avg_tenure_months
    from valued
    group by snapshot_date, bucket_order
),

final as (
    select
        p.snapshot_date,
        p.bucket_order,
        case
            when p.bucket_order = 99 then 'Not predicted'
            when p.bucket_order = 0 then 'below 100'
            when p.bucket_order = 7 then '10,000 and more'
            else
                to_char(e.lower_bounds[p.bucket_order], 'FM999,999') || '-'
                || to_char(e.lower_bounds[p.bucket_order + 1], 'FM999,999')
        end as clv_bucket,
        case when p.bucket_order between 1 and 7 then e.lower_bounds[p.bucket_order] when p.bucket_order = 0 then 0 end
            as min_clv_aed,
        case when p.bucket_order between 0 and 6 then e.lower_bounds[p.bucket_order + 1] end as max_clv_aed,
        p.customers,
        round(p.customers::numeric / sum(p.customers) over (), 4) as customer_share,
        p.historical_clv_aed,
        p.predicted_clv_lifetime_aed,
        round(p.avg_predicted_clv_lifetime_aed, 2) as avg_predicted_clv_lifetime_aed,
        round(p.avg_order_value_aed, 2) as avg_order_value_aed,
        round(p.avg_orders_per_month, 4) as avg_orders_per_month,
        round(p.avg_tenure_months, 1) as avg_tenure_months
    from per_bucket as p
    cross join edges as e
)

select * from final;

create unique index vw_clv_distribution_uq on mart.vw_clv_distribution (snapshot_date, bucket_order);
