-- core.fact_campaign_performance as of %(as_of)s: 1 row per day x campaign with spend, touches or attributed
-- orders. Audience, leads and conversions count distinct people (the customer, else the lead) touched that
-- day. A qualified order is attributed to the campaign of the customer's last campaign touch at or before the
-- order, if that touch is less than %(window_days)s days before it (last-touch attribution), on the order's
-- local date. Ratios are NULL when their denominator is zero.
delete from core.fact_campaign_performance;

insert into core.fact_campaign_performance (
    performance_date, campaign_id, campaign_sk, audience_size, impressions, clicks, click_through_rate,
    leads_generated, conversions, conversion_rate, orders_attributed, revenue_attributed_aed, spend_aed,
    cost_per_impression_aed, cost_per_click_aed, cost_per_lead_aed, cost_per_acquisition_aed, roi_percentage,
    roas, attribution_window_days, as_of_date
)
with spend as (
    select
        spend_date as performance_date,
        campaign_id,
        sum(spend_aed) as spend_aed,
        sum(coalesce(impressions, 0)) as impressions,
        sum(coalesce(clicks, 0)) as clicks
    from stg.mkt_spend
    where campaign_id is not null and spend_date <= %(as_of)s
    group by spend_date, campaign_id
),

people as (
    select
        touch_date,
        campaign_id,
        touch_type,
        coalesce('C:' || customer_id_nat, 'L:' || lead_id, 'T:' || touch_id) as person
    from tmp_touch
    where campaign_id is not null
),

touches as (
    select
        touch_date as performance_date,
        campaign_id,
        count(distinct person) as audience_size,
        count(distinct person) filter (where touch_type = 'LEAD') as leads_generated,
        count(distinct person) filter (where touch_type = 'CONVERSION') as conversions
    from people
    group by touch_date, campaign_id
),

campaign_touches as (
    select
        customer_id_nat,
        touch_id,
        touch_ts,
        campaign_id
    from tmp_touch
    where campaign_id is not null and customer_id_nat is not null
),

last_touch as (
    select distinct on (o.order_id)
        o.order_id,
        o.local_date,
        o.net_amount_aed,
        t.campaign_id
    from core.fact_order as o
    inner join campaign_touches as t
        on o.surviving_customer_id_nat = t.customer_id_nat
        and o.order_ts >= t.touch_ts
        and o.order_ts < t.touch_ts + make_interval(days => %(window_days)s)
    where o.is_qualified and o.local_date <= %(as_of)s
    order by o.order_id asc, t.touch_ts desc, t.touch_id desc
),

attributed as (
    select
        local_date as performance_date,
        campaign_id,
        count(*) as orders_attributed,
        sum(net_amount_aed) as revenue_attributed_aed
    from last_touch
    group by local_date, campaign_id
),

measures as (
    select
        performance_date,
        campaign_id,
        spend_aed,
        impressions,
        clicks,
        0 as audience_size,
        0 as leads_generated,
        0 as conversions,
        0 as orders_attributed,
        0 as revenue_attributed_aed
    from spend
    union all
    select
        performance_date,
        campaign_id,
        0 as spend_aed,
        0 as impressions,
        0 as clicks,
        audience_size,
        leads_generated,
        conversions,
        0 as orders_attributed,
        0 as revenue_attributed_aed
    from touches
    union all
    select
        performance_date,
        campaign_id,
        0 as spend_aed,
        0 as impressions,
        0 as clicks,
        0 as audience_size,
        0 as leads_generated,
        0 as conversions,
        orders_attributed,
        revenue_attributed_aed
    from attributed
),

daily as (
    select
        performance_date,
        campaign_id,
        sum(audience_size)::integer as audience_size,
        sum(impressions)::bigint as impressions,
        sum(clicks)::bigint as clicks,
        sum(leads_generated)::integer as leads_generated,
        sum(conversions)::integer as conversions,
        sum(orders_attributed)::integer as orders_attributed,
        coalesce(sum(revenue_attributed_aed), 0)::numeric as revenue_attributed_aed,
        sum(spend_aed)::numeric as spend_aed
    from measures
    group by performance_date, campaign_id
),

final as (
    select
        d.performance_date,
        d.campaign_id,
        c.campaign_sk,
        d.audience_size,
        d.impressions,
        d.clicks,
        round(d.clicks::numeric / nullif(d.impressions, 0), 6) as click_through_rate,
        d.leads_generated,
        d.conversions,
        round(d.conversions::numeric / nullif(d.audience_size, 0), 6) as conversion_rate,
        d.orders_attributed,
        d.revenue_attributed_aed,
        d.spend_aed,
        round(d.spend_aed / nullif(d.impressions, 0), 6) as cost_per_impression_aed,
        round(d.spend_aed / nullif(d.clicks, 0), 4) as cost_per_click_aed,
        round(d.spend_aed / nullif(d.leads_generated, 0), 4) as cost_per_lead_aed,
        round(d.spend_aed / nullif(d.conversions, 0), 4) as cost_per_acquisition_aed,
        round((d.revenue_attributed_aed - d.spend_aed) * 100 / nullif(d.spend_aed, 0), 2) as roi_percentage,
        round(d.revenue_attributed_aed / nullif(d.spend_aed, 0), 4) as roas,
        %(window_days)s::smallint as attribution_window_days,
        %(as_of)s::date as as_of_date
    from daily as d
    left join core.dim_campaign as c on d.campaign_id = c.campaign_id
)

select * from final;

analyze core.fact_campaign_performance;
