-- core.fact_customer_acquisition as of %(as_of)s: 1 row per surviving, unflagged CRM customer.
-- acquisition date = first conversion touch, else the CRM signup date, else the first qualified order;
-- channel = the CRM acquisition_channel, else the conversion's, else the first touch's; campaign = the
-- conversion's, else the lead's. acquisition_cost_aed = the channel's spend in the acquisition month / the
-- customers acquired through that channel in that month (NULL when no spend was recorded for it).
-- Revenue windows count qualified orders on local days [acquisition date, acquisition date + N).
-- cac_payback_days = days from acquisition to the first day on which cumulative revenue since acquisition
-- reaches the acquisition cost (0 for a zero cost; NULL while not reached).
delete from core.fact_customer_acquisition;

insert into core.fact_customer_acquisition (
    customer_id_nat, customer_sk, acquisition_date, acquisition_month, acquisition_channel, acquisition_campaign_id,
    lead_id, first_touch_channel, lead_created_date, first_contact_date, conversion_date, days_to_convert,
    touchpoints_count, first_order_date, first_order_value_aed, first_order_items, days_to_first_order,
    acquisition_cost_aed, revenue_30_days_aed, revenue_90_days_aed, revenue_365_days_aed, orders_365_days,
    cac_payback_days, as_of_date
)
with customers as (
    select
        c.customer_id_nat,
        c.signup_date,
        nullif(upper(btrim(c.acquisition_channel)), '') as crm_channel
    from stg.crm_customers as c
    where
        c.customer_flag is null
        and not exists (
            select 1 from core.customer_merge_map as m
            where m.customer_id_nat = c.customer_id_nat
        )
),

conversion as (
    select distinct on (customer_id_nat)
        customer_id_nat,
        touch_ts as conversion_ts,
        touch_date as conversion_date,
        acquisition_channel,
        campaign_id,
        lead_id
    from tmp_touch
    where touch_type = 'CONVERSION' and customer_id_nat is not null
    order by customer_id_nat asc, touch_ts asc, touch_id asc
),

first_touch as (
    select distinct on (customer_id_nat)
        customer_id_nat,
        acquisition_channel
    from tmp_touch
    where customer_id_nat is not null
    order by customer_id_nat asc, touch_ts asc, touch_id asc
),

customer_lead as (
    -- The lead that converted first, else the customer's earliest lead.
    select distinct on (customer_id_nat)
        customer_id_nat,
        lead_id,
        campaign_id,
        lead_created_date,
        first_contact_date
    from core.fact_lead
    where customer_id_nat is not null
    order by customer_id_nat asc, conversion_date asc nulls last, lead_created_ts asc, lead_id asc
),

acquired as (
    select
        c.customer_id_nat,
        coalesce(cv.conversion_date, c.signup_date, fo.first_order_date) as acquisition_date,
        coalesce(c.crm_channel, cv.acquisition_channel, ft.acquisition_channel, 'UNKNOWN') as acquisition_channel,
        coalesce(cv.campaign_id, cl.campaign_id) as acquisition_campaign_id,
        coalesce(cv.lead_id, cl.lead_id) as lead_id,
        ft.acquisition_channel as first_touch_channel,
        cl.lead_created_date,
        cl.first_contact_date,
        cv.conversion_ts,
        cv.conversion_date,
        fo.first_order_date,
        fo.first_order_value_aed,
        fo.first_order_items
    from customers as c
    left join conversion as cv on c.customer_id_nat = cv.customer_id_nat
    left join first_touch as ft on c.customer_id_nat = ft.customer_id_nat
    left join customer_lead as cl on c.customer_id_nat = cl.customer_id_nat
    left join tmp_first_order as fo on c.customer_id_nat = fo.customer_id_nat
),

touch_counts as (
    select
        a.customer_id_nat,
        count(*) as touchpoints_count
    from acquired as a
    inner join tmp_touch as t on a.customer_id_nat = t.customer_id_nat
    where
        (a.conversion_ts is not null and t.touch_ts <= a.conversion_ts)
        or (a.conversion_ts is null and t.touch_date <= a.acquisition_date)
    group by a.customer_id_nat
),

channel_month_spend as (
    select
        acquisition_channel,
        date_trunc('month', spend_date)::date as acquisition_month,
        sum(spend_aed) as spend_aed
    from stg.mkt_spend
    where spend_date <= %(as_of)s
    group by acquisition_channel, date_trunc('month', spend_date)
),

channel_month_customers as (
    select
        acquisition_channel,
        date_trunc('month', acquisition_date)::date as acquisition_month,
        count(*) as customers
    from acquired
    where acquisition_date is not null
    group by acquisition_channel, date_trunc('month', acquisition_date)
),

costed as (
    select
        a.*,
        date_trunc('month', a.acquisition_date)::date as acquisition_month,
        round(s.spend_aed / n.customers, 2) as acquisition_cost_aed
    from acquired as a
    left join channel_month_customers as n
        on a.acquisition_channel = n.acquisition_channel
        and date_trunc('month', a.acquisition_date)::date = n.acquisition_month
    left join channel_month_spend as s
        on a.acquisition_channel = s.acquisition_channel
        and date_trunc('month', a.acquisition_date)::date = s.acquisition_month
),

orders_since as (
    select
        c.customer_id_nat,
        c.acquisition_cost_aed,
        o.local_date - c.acquisition_date as day_offset,
        o.net_amount_aed
    from costed as c
    inner join core.fact_order as o on c.customer_id_nat = o.surviving_customer_id_nat
    where o.is_qualified and o.local_date >= c.acquisition_date and o.local_date <= %(as_of)s
),

windows as (
    select
        customer_id_nat,
        sum(net_amount_aed) filter (where day_offset < 30) as revenue_30_days_aed,
        sum(net_amount_aed) filter (where day_offset < 90) as revenue_90_days_aed,
        sum(net_amount_aed) filter (where day_offset < 365) as revenue_365_days_aed,
        count(*) filter (where day_offset < 365) as orders_365_days
    from orders_since
    group by customer_id_nat
),

paid_days as (
    -- Revenue per day since acquisition of the customers with a cost to pay back.
    select
        customer_id_nat,
        day_offset,
        min(acquisition_cost_aed) as acquisition_cost_aed,
        sum(net_amount_aed) as revenue_aed
    from orders_since
    where acquisition_cost_aed > 0
    group by customer_id_nat, day_offset
),

cumulative as (
    select
        customer_id_nat,
        day_offset,
        acquisition_cost_aed,
        sum(revenue_aed) over (partition by customer_id_nat order by day_offset) as revenue_to_date
    from paid_days
),

payback as (
    select
        customer_id_nat,
        min(day_offset) as cac_payback_days
    from cumulative
    where revenue_to_date >= acquisition_cost_aed
    group by customer_id_nat
),

final as (
    select
        c.customer_id_nat,
        coalesce(dc.customer_sk, 0) as customer_sk,
        c.acquisition_date,
        c.acquisition_month,
        c.acquisition_channel,
        c.acquisition_campaign_id,
        c.lead_id,
        c.first_touch_channel,
        c.lead_created_date,
        c.first_contact_date,
        c.conversion_date,
        c.conversion_date - c.lead_created_date as days_to_convert,
        coalesce(tc.touchpoints_count, 0) as touchpoints_count,
        c.first_order_date,
        c.first_order_value_aed,
        c.first_order_items,
        c.first_order_date - c.acquisition_date as days_to_first_order,
        c.acquisition_cost_aed,
        coalesce(w.revenue_30_days_aed, 0) as revenue_30_days_aed,
        coalesce(w.revenue_90_days_aed, 0) as revenue_90_days_aed,
        coalesce(w.revenue_365_days_aed, 0) as revenue_365_days_aed,
        coalesce(w.orders_365_days, 0) as orders_365_days,
        case when c.acquisition_cost_aed = 0 then 0 else p.cac_payback_days end as cac_payback_days,
        %(as_of)s::date as as_of_date
    from costed as c
    left join core.dim_customer as dc on c.customer_id_nat = dc.customer_id_nat and dc.is_current
    left join touch_counts as tc on c.customer_id_nat = tc.customer_id_nat
    left join windows as w on c.customer_id_nat = w.customer_id_nat
    left join payback as p on c.customer_id_nat = p.customer_id_nat
)

select * from final;

analyze core.fact_customer_acquisition;
