-- mart.vw_acquisition_channel_performance: 1 row = 1 acquisition channel x 1 acquisition month (aggregates only).
-- ROI % = (365-day revenue of the customers with a known acquisition cost - their total cost) / that cost.
create or replace view mart.vw_acquisition_channel_performance as
with acquired as (
    select
        a.acquisition_channel,
        a.acquisition_month,
        a.acquisition_cost_aed,
        a.days_to_convert,
        a.first_order_value_aed,
        a.revenue_365_days_aed,
        a.cac_payback_days,
        a.as_of_date
    from core.fact_customer_acquisition as a
    where a.acquisition_month is not null
),

by_channel_month as (
    select
        acquisition_channel,
        acquisition_month,
        count(*) as customers_acquired,
        sum(acquisition_cost_aed) as total_cac_aed,
        round(avg(acquisition_cost_aed), 2) as avg_cac_aed,
        round(avg(days_to_convert), 1) as avg_days_to_convert,
        round(avg(first_order_value_aed), 2) as avg_first_order_value_aed,
        sum(revenue_365_days_aed) as revenue_365_days_aed,
        sum(revenue_365_days_aed) filter (where acquisition_cost_aed is not null) as costed_revenue_365_days_aed,
        round(avg(cac_payback_days), 1) as avg_cac_payback_days,
        max(as_of_date) as as_of_date
    from acquired
    group by acquisition_channel, acquisition_month
),

final as (
    select
        b.acquisition_channel,
        ch.channel_name,
        b.acquisition_month,
        to_char(b.acquisition_month, 'YYYY-MM') as month_label,
        b.customers_acquired,
        b.total_cac_aed,
        b.avg_cac_aed,
        b.avg_days_to_convert,
        b.avg_first_order_value_aed,
        b.revenue_365_days_aed,
        round((b.costed_revenue_365_days_aed - b.total_cac_aed) * 100 / nullif(b.total_cac_aed, 0), 2)
            as acquisition_roi_pct,
        b.avg_cac_payback_days,
        b.as_of_date
    from by_channel_month as b
    left join core.dim_interaction_channel as ch on b.acquisition_channel = ch.channel_code
)

select * from final;
