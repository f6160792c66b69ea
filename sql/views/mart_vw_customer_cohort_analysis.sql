-- mart.vw_customer_cohort_analysis: 1 row = 1 cohort (month of the customers' first qualified order) x 1
-- store-local month since then, from core.fact_customer_monthly_activity: cohort size, active customers,
-- retention (active / cohort size), net AED revenue, revenue per active and per cohort customer, and the
-- cohort's cumulative revenue per customer. Materialized (every customer-month), refreshed after each daily
-- run by analytics.marts.
create materialized view mart.vw_customer_cohort_analysis as
with activity as (
    select
        to_date(a.first_order_month, 'YYYY-MM') as cohort_month,
        a.month_key as activity_month,
        a.is_active_flag,
        a.orders_count_month,
        a.total_net_amount_aed_month
    from core.fact_customer_monthly_activity as a
),

per_month as (
    select
        cohort_month,
        activity_month,
        count(*) filter (where activity_month = cohort_month) as first_month_customers,
        sum(is_active_flag) as active_customers,
        sum(orders_count_month) as orders,
        sum(total_net_amount_aed_month) as revenue_aed
    from activity
    group by cohort_month, activity_month
),

final as (
    select
        cohort_month,
        activity_month,
        (
            (extract(year from activity_month) - extract(year from cohort_month)) * 12
            + extract(month from activity_month) - extract(month from cohort_month)
        )::int as months_since_first_order,
        max(first_month_customers) over by_cohort as cohort_customers,
        active_customers,
        round(active_customers::numeric / nullif(max(first_month_customers) over by_cohort, 0), 4) as retention_rate,
        orders,
        revenue_aed,
        round(revenue_aed / nullif(active_customers, 0), 2) as revenue_per_active_customer_aed,
        round(revenue_aed / nullif(max(first_month_customers) over by_cohort, 0), 2) as revenue_per_cohort_customer_aed,
        round(
            sum(revenue_aed) over (by_cohort order by activity_month)
            / nullif(max(first_month_customers) over by_cohort, 0),
            2
        ) as cumulative_revenue_per_cohort_customer_aed
    from per_month
    window by_cohort as (partition by cohort_month)
)

select * from final;

create unique index vw_customer_cohort_analysis_uq on mart.vw_customer_cohort_analysis (cohort_month, activity_month);
