-- mart.mart_customer_activity_monthly: 1 row = 1 store-local month x 1 region (UAE, KSA, ALL).
-- C1 = active_customers (unique customers with >= 1 qualified order), C2 = repeat_rate (repeat / active).
-- A customer active in both regions counts once in each and once in ALL.
create or replace view mart.mart_customer_activity_monthly as
with region_month as (
    select
        agg.month_key,
        agg.region,
        agg.active_customers,
        agg.new_customers,
        agg.repeat_customers,
        agg.total_net_amount_aed,
        agg.as_of_date
    from core.agg_activity_month_region as agg
),

final as (
    select
        month_key,
        to_char(month_key, 'YYYY-MM') as month_label,
        region,
        active_customers,
        new_customers,
        repeat_customers,
        round(repeat_customers::numeric / nullif(active_customers, 0), 4) as repeat_rate,
        total_net_amount_aed,
        as_of_date,
        exists(
            select 1 from audit.month_freeze as f
            where f.month_key = region_month.month_key
        ) as is_frozen
    from region_month
)

select * from final;
