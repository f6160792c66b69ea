-- mart.vw_campaign_performance: 1 row = 1 marketing campaign x 1 calendar month of core.fact_campaign_performance
-- (aggregates only): the campaign's attributes, impressions, clicks, leads, conversions, last-touch attributed
-- orders and revenue, spend, and the ratios of the month's sums: CTR, cost per click / lead / acquisition,
-- ROAS and ROI %. Ratios are NULL when their denominator is zero. Leads and conversions add up the daily
-- distinct counts of the fact (a person touched on two days counts twice).
create or replace view mart.vw_campaign_performance as
with daily as (
    select
        p.campaign_id,
        p.impressions,
        p.clicks,
        p.leads_generated,
        p.conversions,
        p.orders_attributed,
        p.revenue_attributed_aed,
        p.spend_aed,
        p.as_of_date,
        date_trunc('month', p.performance_date)::date as performance_month
    from core.fact_campaign_performance as p
),

by_campaign_month as (
    select
        campaign_id,
        performance_month,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(leads_generated) as leads_generated,
        sum(conversions) as conversions,
        sum(orders_attributed) as orders_attributed,
        sum(revenue_attributed_aed) as revenue_attributed_aed,
        sum(spend_aed) as spend_aed,
        max(as_of_date) as as_of_date
    from daily
    group by campaign_id, performance_month
),

final as (
    select
        b.campaign_id,
        c.campaign_code,
        c.campaign_name,
        c.campaign_type,
        c.campaign_channel,
        c.status as campaign_status,
        c.start_date,
        c.end_date,
        c.budget_aed,
        b.performance_month,
        b.impressions,
        b.clicks,
        b.leads_generated,
        b.conversions,
        b.orders_attributed,
        b.revenue_attributed_aed,
        b.spend_aed,
        b.as_of_date,
        to_char(b.performance_month, 'YYYY-MM') as month_label,
        round(b.clicks::numeric / nullif(b.impressions, 0), 6) as click_through_rate,
        round(b.spend_aed / nullif(b.clicks, 0), 4) as cost_per_click_aed,
        round(b.spend_aed / nullif(b.leads_generated, 0), 4) as cost_per_lead_aed,
        round(b.spend_aed / nullif(b.conversions, 0), 4) as cost_per_acquisition_aed,
        round(b.revenue_attributed_aed / nullif(b.spend_aed, 0), 4) as roas,
        round((b.revenue_attributed_aed - b.spend_aed) * 100 / nullif(b.spend_aed, 0), 2) as roi_percentage
    from by_campaign_month as b
    left join core.dim_campaign as c on b.campaign_id = c.campaign_id
)

select * from final;
