-- core.fact_lead as of %(as_of)s: 1 row per lead_id. The lead's channel and campaign are those of its first
-- touch; contacted = reached a contact or a conversion, so the funnel steps only narrow; ordered = its customer
-- has a qualified order.
delete from core.fact_lead;

insert into core.fact_lead (
    lead_id, customer_id_nat, acquisition_channel, campaign_id, lead_created_ts, lead_created_date, lead_week,
    first_contact_date, conversion_date, first_order_date, is_contacted, is_converted, has_ordered, as_of_date
)
with lead_touches as (
    select * from tmp_touch
    where lead_id is not null
),

first_touch as (
    select distinct on (lead_id)
        lead_id,
        acquisition_channel,
        campaign_id,
        touch_ts,
        touch_date
    from lead_touches
    order by lead_id asc, touch_ts asc, touch_id asc
),

steps as (
    select
        lead_id,
        min(customer_id_nat) as customer_id_nat,
        min(touch_date) filter (where touch_type = 'CONTACT') as first_contact_date,
        min(touch_date) filter (where touch_type = 'CONVERSION') as conversion_date
    from lead_touches
    group by lead_id
),

final as (
    select
        s.lead_id,
        s.customer_id_nat,
        f.acquisition_channel,
        f.campaign_id,
        f.touch_ts as lead_created_ts,
        f.touch_date as lead_created_date,
        date_trunc('week', f.touch_date)::date as lead_week,
        s.first_contact_date,
        s.conversion_date,
        o.first_order_date,
        (s.first_contact_date is not null or s.conversion_date is not null) as is_contacted,
        s.conversion_date is not null as is_converted,
        o.first_order_date is not null as has_ordered,
        %(as_of)s::date as as_of_date
    from steps as s
    inner join first_touch as f on s.lead_id = f.lead_id
    left join tmp_first_order as o on s.customer_id_nat = o.customer_id_nat
)

select * from final;

analyze core.fact_lead;
