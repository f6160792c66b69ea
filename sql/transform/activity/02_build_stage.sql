-- Dense customer x month rows of the open months into the stage table {stage}: one row per customer from its
-- first active month through the as-of month, with flags, measures and SCD2 attributes as of month end.
-- Every join below is on (customer, month) or customer: merge joins over inputs read in that order (the
-- sparse measures through their index) beat hash tables of millions of rows, which the planner sizes too
-- small and spills.
-- (Both settings end with the lane's transaction; this statement, whose row count is reported, comes last.)
set local enable_hashagg = off;
set local enable_hashjoin = off;

insert into {stage} (
    customer_month_sk, customer_id_nat, month_key, customer_sk, country_sk, is_active_flag, is_new_flag,
    is_repeat_flag, orders_count_month, total_net_amount_native_month, native_currency_code,
    total_net_amount_aed_month, returns_count_month, returns_net_amount_aed_month, first_order_month,
    last_order_month, loyalty_tier, is_vip_flag, as_of_date
)
with month_ends as materialized (
    -- Each built month's end as an instant (midnight after its last day in Asia/Riyadh, or after the as-of
    -- date for the running month): the SCD2 attributes are those valid then. One row per month, so the
    -- time-zone arithmetic is not repeated for every customer.
    select
        m.month_start::date as month_key,
        to_char(m.month_start, 'YYYY-MM') as month_label,
        m.month_start::date::text as month_text,
        least((m.month_start + interval '1 month')::date, %(as_of)s::date + 1)::timestamp
        at time zone 'Asia/Riyadh' as month_end_ts,
        least((m.month_start + interval '1 month' - interval '1 day')::date, %(as_of)s::date) as as_of_date
    from generate_series(%(first_open_month)s::date, %(as_of_month)s::date, interval '1 month') as m (month_start)
),

grid as (
    select
        c.customer_id_nat,
        me.month_key,
        me.month_label,
        me.month_text,
        me.month_end_ts,
        me.as_of_date,
        c.first_month,
        c.first_month_label,
        c.last_before_open_label
    -- Labels once per customer (a fence), not once per customer-month.
    from (
        select
            t.customer_id_nat,
            t.first_month,
            to_char(t.first_month, 'YYYY-MM') as first_month_label,
            to_char(t.last_before_open, 'YYYY-MM') as last_before_open_label
        from tmp_lane_customer as t
        offset 0  -- noqa: AM09
    ) as c
    -- A lateral subquery kept apart (offset 0): the grid comes out customer by customer, nearly in the
    -- order the window below needs.
    cross join lateral (
        select m.* from month_ends as m
        where m.month_key >= c.first_month
        offset 0  -- noqa: AM09
    ) as me
),

with_activity as (
    select
        grid.*,
        a.customer_id_nat is not null as is_active,
        -- 'YYYY-MM' labels sort like their months.
        max(case when a.customer_id_nat is not null then grid.month_label end) over (
            partition by grid.customer_id_nat order by grid.month_key rows between unbounded preceding and current row
        ) as last_active_label
    from grid
    left join tmp_lane_active as a on grid.customer_id_nat = a.customer_id_nat and grid.month_key = a.month_key
),

month_measures as (
    select
        customer_id_nat,
        month_key,
        sum(orders_count) as orders_count,
        sum(net_amount_native) as net_amount_native,
        min(min_currency) as min_currency,
        max(max_currency) as max_currency,
        sum(net_amount_aed) as net_amount_aed,
        sum(returns_count) as returns_count,
        sum(returns_amount_aed) as returns_amount_aed
    from tmp_lane_sparse
    group by customer_id_nat, month_key
),

final as (
    select
        core.hash64(w.customer_id_nat || '|' || w.month_text) as customer_month_sk,
        w.customer_id_nat,
        w.month_key,
        coalesce(dc.customer_sk, 0) as customer_sk,
        dc.country_sk,
        w.is_active::int as is_active_flag,
        (w.is_active and w.first_month = w.month_key)::int as is_new_flag,
        (w.is_active and w.first_month < w.month_key)::int as is_repeat_flag,
        coalesce(mm.orders_count, 0) as orders_count_month,
        case
            when not w.is_active then 0
            when mm.min_currency = mm.max_currency then mm.net_amount_native
        end as total_net_amount_native_month,
        case
            when not w.is_active then null
            when mm.min_currency = mm.max_currency then mm.min_currency
            else 'MIXED'
        end as native_currency_code,
        case when w.is_active then mm.net_amount_aed else 0 end as total_net_amount_aed_month,
        coalesce(mm.returns_count, 0) as returns_count_month,
        coalesce(mm.returns_amount_aed, 0) as returns_net_amount_aed_month,
        w.first_month_label as first_order_month,
        coalesce(w.last_active_label, w.last_before_open_label) as last_order_month,
        dc.loyalty_tier,
        coalesce(dc.is_vip_flag, 0) as is_vip_flag,
        w.as_of_date
    from with_activity as w
    left join month_measures as mm on w.customer_id_nat = mm.customer_id_nat and w.month_key = mm.month_key
    left join tmp_lane_dim_customer as dc
        on w.customer_id_nat = dc.customer_id_nat
        and w.month_end_ts > dc.valid_from
        and w.month_end_ts <= dc.valid_to
    where w.month_key = any(%(open_months)s::date[])
)

select * from final;
