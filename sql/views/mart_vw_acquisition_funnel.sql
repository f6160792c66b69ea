-- mart.vw_acquisition_funnel: 1 row = 1 ISO week of lead creation x 1 acquisition channel (aggregates only).
-- Steps narrow: contacted = reached a contact or a conversion; ordered = converted and its customer ordered.
create or replace view mart.vw_acquisition_funnel as
with leads as (
    select
        l.lead_week,
        l.acquisition_channel,
        l.is_contacted,
        l.is_converted,
        l.is_converted and l.has_ordered as is_ordered,
        l.as_of_date
    from core.fact_lead as l
),

by_week_channel as (
    select
        lead_week,
        acquisition_channel,
        count(*) as leads,
        count(*) filter (where is_contacted) as contacted,
        count(*) filter (where is_converted) as converted,
        count(*) filter (where is_ordered) as ordered,
        max(as_of_date) as as_of_date
    from leads
    group by lead_week, acquisition_channel
),

final as (
    select
        lead_week as week_start,
        to_char(lead_week, 'IYYY-"W"IW') as iso_week,
        acquisition_channel,
        leads,
        contacted,
        converted,
        ordered,
        round(contacted::numeric / nullif(leads, 0), 4) as contact_rate,
        round(converted::numeric / nullif(contacted, 0), 4) as conversion_rate,
        round(ordered::numeric / nullif(converted, 0), 4) as order_rate,
        round(ordered::numeric / nullif(leads, 0), 4) as lead_to_order_rate,
        as_of_date
    from by_week_channel
)

select * from final;
