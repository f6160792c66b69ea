-- Customer features as of %(as_of)s into {target} (a stage table shaped like core.customer_features): one row
-- per surviving customer with at least one qualified order with a local date on or before the as-of date.
-- Windows are in days ending on the as-of date ((as_of - N, as_of]); purchase days are distinct local dates,
-- so several orders on one day count once in the BG/NBD inputs (frequency = purchase days - 1).
insert into {target} (
    as_of_date, customer_id_nat, customer_sk, first_order_date, last_order_date, orders_total,
    purchase_days_total, orders_30d, orders_90d, orders_180d, orders_365d, orders_prev_90d, spend_total_aed,
    spend_30d_aed, spend_90d_aed, spend_180d_aed, spend_365d_aed, spend_prev_90d_aed, repeat_spend_aed,
    recency_days, t_days, days_since_last_order, tenure_days, avg_days_between_orders, std_days_between_orders,
    returns_90d, returns_90d_aed, revenue_with_cost_aed, cost_aed, loyalty_tier, is_vip_flag, region,
    acquisition_channel
)
with purchase_days as (
    select
        f.surviving_customer_id_nat as customer_id_nat,
        f.local_date,
        count(*) as orders,
        sum(f.net_amount_aed) as spend,
        %(as_of)s::date - f.local_date as age_days
    from core.fact_order as f
    where f.is_qualified and f.local_date <= %(as_of)s
    group by f.surviving_customer_id_nat, f.local_date
),

day_gaps as (
    select
        customer_id_nat,
        local_date,
        orders,
        spend,
        age_days,
        local_date - lag(local_date) over by_day as gap_days,
        row_number() over by_day as day_no
    from purchase_days
    window by_day as (partition by customer_id_nat order by local_date)
),

per_customer as (
    select
        customer_id_nat,
        min(local_date) as first_order_date,
        max(local_date) as last_order_date,
        sum(orders) as orders_total,
        count(*) as purchase_days_total,
        coalesce(sum(orders) filter (where age_days < 30), 0) as orders_30d,
        coalesce(sum(orders) filter (where age_days < 90), 0) as orders_90d,
        coalesce(sum(orders) filter (where age_days < 180), 0) as orders_180d,
        coalesce(sum(orders) filter (where age_days < 365), 0) as orders_365d,
        coalesce(sum(orders) filter (where age_days >= 90 and age_days < 180), 0) as orders_prev_90d,
        sum(spend) as spend_total_aed,
        coalesce(sum(spend) filter (where age_days < 30), 0) as spend_30d_aed,
        coalesce(sum(spend) filter (where age_days < 90), 0) as spend_90d_aed,
        coalesce(sum(spend) filter (where age_days < 180), 0) as spend_180d_aed,
        coalesce(sum(spend) filter (where age_days < 365), 0) as spend_365d_aed,
        coalesce(sum(spend) filter (where age_days >= 90 and age_days < 180), 0) as spend_prev_90d_aed,
        coalesce(sum(spend) filter (where day_no > 1), 0) as repeat_spend_aed,
        round(avg(gap_days), 2) as avg_days_between_orders,
        round(stddev_samp(gap_days), 2) as std_days_between_orders
    from day_gaps
    group by customer_id_nat
),

returns_90d as (
    select
        f.surviving_customer_id_nat as customer_id_nat,
        count(*) as returns_90d,
        sum(f.net_amount_aed) as returns_90d_aed
    from core.fact_order as f
    where f.is_qualified_return and f.local_date <= %(as_of)s and f.local_date > %(as_of)s::date - 90
    group by f.surviving_customer_id_nat
),

-- Margin inputs: revenue and cost (in AED at the order's rate) of the lines that carry an item cost.
line_costs as (
    select
        f.surviving_customer_id_nat as customer_id_nat,
        sum(l.net_amount_aed) as revenue_with_cost_aed,
        sum(round(l.cost_amount_native * f.fx_rate_to_aed, 2)) as cost_aed
    from core.fact_order_line as l
    inner join core.fact_order as f on l.order_id = f.order_id
    where f.is_qualified and f.local_date <= %(as_of)s and l.cost_amount_native is not null
    group by f.surviving_customer_id_nat
),

-- Customer attributes as of the end of the as-of day (the SCD2 version then valid), as the activity fact.
attributes as (
    select
        dc.customer_id_nat,
        dc.customer_sk,
        dc.loyalty_tier,
        dc.is_vip_flag,
        dc.region,
        dc.acquisition_channel
    from core.dim_customer as dc
    where
        dc.valid_from < ((%(as_of)s::date + 1)::timestamp at time zone 'Asia/Riyadh')
        and dc.valid_to >= ((%(as_of)s::date + 1)::timestamp at time zone 'Asia/Riyadh')
),

final as (
    select
        %(as_of)s::date as as_of_date,
        p.customer_id_nat,
        coalesce(a.customer_sk, 0) as customer_sk,
        p.first_order_date,
        p.last_order_date,
        p.orders_total,
        p.purchase_days_total,
        p.orders_30d,
        p.orders_90d,
        p.orders_180d,
        p.orders_365d,
        p.orders_prev_90d,
        p.spend_total_aed,
        p.spend_30d_aed,
        p.spend_90d_aed,
        p.spend_180d_aed,
        p.spend_365d_aed,
        p.spend_prev_90d_aed,
        p.repeat_spend_aed,
        p.last_order_date - p.first_order_date as recency_days,
        %(as_of)s::date - p.first_order_date as t_days,
        %(as_of)s::date - p.last_order_date as days_since_last_order,
        %(as_of)s::date - p.first_order_date as tenure_days,
        p.avg_days_between_orders,
        p.std_days_between_orders,
        coalesce(r.returns_90d, 0) as returns_90d,
        coalesce(r.returns_90d_aed, 0) as returns_90d_aed,
        coalesce(c.revenue_with_cost_aed, 0) as revenue_with_cost_aed,
        coalesce(c.cost_aed, 0) as cost_aed,
        a.loyalty_tier,
        coalesce(a.is_vip_flag, 0) as is_vip_flag,
        a.region,
        a.acquisition_channel
    from per_customer as p
    left join returns_90d as r on p.customer_id_nat = r.customer_id_nat
    left join line_costs as c on p.customer_id_nat = c.customer_id_nat
    left join attributes as a on p.customer_id_nat = a.customer_id_nat
)

select * from final;
