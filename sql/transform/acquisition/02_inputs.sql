-- Inputs of the acquisition facts as of %(as_of)s, as temporary tables:
-- tmp_touch: touchpoints up to the end of the as-of day (Asia/Riyadh) with the surviving customer, taken
--   from the touch itself or, for a lead's early touches, from another touch of the same lead;
-- tmp_first_order: each surviving customer's first qualified order (earliest local date, then time, then id).
create temporary table tmp_touch on commit drop as
with touches as (
    select
        t.touch_id,
        t.lead_id,
        t.touch_ts,
        (t.touch_ts at time zone 'Asia/Riyadh')::date as touch_date,
        t.acquisition_channel,
        t.campaign_id,
        t.touch_type,
        coalesce(m.surviving_customer_id_nat, t.customer_id_nat) as customer_id_nat
    from stg.mkt_touchpoints as t
    left join core.customer_merge_map as m on t.customer_id_nat = m.customer_id_nat
    where t.touch_ts < ((%(as_of)s::date + 1)::timestamp at time zone 'Asia/Riyadh')
),

lead_customer as (
    -- A lead names one customer; should its touches name several, the smallest id is taken.
    select
        lead_id,
        min(customer_id_nat) as customer_id_nat
    from touches
    where lead_id is not null and customer_id_nat is not null
    group by lead_id
),

final as (
    select
        t.touch_id,
        t.lead_id,
        t.touch_ts,
        t.touch_date,
        t.acquisition_channel,
        t.campaign_id,
        t.touch_type,
        coalesce(t.customer_id_nat, lc.customer_id_nat) as customer_id_nat
    from touches as t
    left join lead_customer as lc on t.lead_id = lc.lead_id
)

select * from final;

create index on tmp_touch (customer_id_nat);
analyze tmp_touch;

create temporary table tmp_first_order on commit drop as
with qualified as (
    select
        o.surviving_customer_id_nat as customer_id_nat,
        o.order_id,
        o.order_ts,
        o.local_date,
        o.net_amount_aed
    from core.fact_order as o
    where o.is_qualified and o.local_date <= %(as_of)s
),

first_day as (
    select
        customer_id_nat,
        min(local_date) as first_order_date
    from qualified
    group by customer_id_nat
),

first_order as (
    select distinct on (q.customer_id_nat)
        q.customer_id_nat,
        q.order_id,
        q.local_date as first_order_date,
        q.net_amount_aed as first_order_value_aed
    from qualified as q
    inner join first_day as f on q.customer_id_nat = f.customer_id_nat and q.local_date = f.first_order_date
    order by q.customer_id_nat asc, q.order_ts asc, q.order_id asc
),

final as (
    select
        f.customer_id_nat,
        f.order_id,
        f.first_order_date,
        f.first_order_value_aed,
        (
            select sum(l.quantity) from core.fact_order_line as l
            where l.order_id = f.order_id
        ) as first_order_items
    from first_order as f
)

select * from final;

create unique index on tmp_first_order (customer_id_nat);
analyze tmp_first_order;
