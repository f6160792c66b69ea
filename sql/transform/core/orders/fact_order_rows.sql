-- tmp_fact_order_rows: the core.fact_order rows (same columns, same order) of the orders in {orders} whose store
-- and channel are known: store-local time, local date and month, the FX rate of that local date and the AED
-- amount, the surviving customer after merges, qualification (DESIGN §4) with the first reason an order is
-- excluded, and the customer's SCD2 version at the time of the order. Needs tmp_customer_resolution.
create or replace temporary view tmp_fact_order_rows as
with store_channel as (
    -- Every (store, channel) pair: one lookup per order for both.
    select
        st.store_id,
        ch.channel_code,
        st.store_sk,
        st.country_sk,
        st.region,
        st.timezone,
        ch.channel_sk
    from core.dim_store as st
    cross join core.dim_channel as ch
),

located as (
    select
        o.*,
        sc.store_sk,
        sc.channel_sk,
        sc.country_sk,
        sc.region,
        (o.order_ts at time zone sc.timezone) as order_ts_local
    from {orders} as o
    inner join store_channel as sc on o.store_id = sc.store_id and o.channel = sc.channel_code
    -- A fence: the local time is computed once per order, not once per use below.
    offset 0  -- noqa: AM09
),

converted as (
    select
        l.*,
        l.order_ts_local::date as local_date,
        date_trunc('month', l.order_ts_local)::date as month_key,
        coalesce(fx.rate_to_aed, case when l.currency_code = 'AED' then 1.0 end) as fx_rate_to_aed,
        case
            when l.customer_id_nat is not null then coalesce(r.surviving_customer_id_nat, l.customer_id_nat)
        end as surviving_customer_id_nat,
        r.own_flag,
        r.survivor_flag
    from located as l
    left join stg.fx_rates as fx on l.order_ts_local::date = fx.rate_date and l.currency_code = fx.currency_code
    left join tmp_customer_resolution as r on l.customer_id_nat = r.customer_id_nat
),

classified as (
    select
        converted.*,
        case
            when
                converted.order_type = 'RETURN' and converted.final_status not in ('COMPLETED', 'FULFILLED')
                then 'RETURN_NOT_COMPLETED'
            when converted.final_status not in ('COMPLETED', 'FULFILLED') then 'STATUS_' || converted.final_status
            when converted.order_flag is not null then 'ORDER_FLAG_' || converted.order_flag
            when converted.customer_id_nat is null then 'GUEST'
            when converted.own_flag is not null then 'CUSTOMER_FLAG_' || converted.own_flag
            when converted.survivor_flag is not null then 'CUSTOMER_FLAG_' || converted.survivor_flag
            when converted.order_type = 'RETURN' then 'RETURN'
        end as exclusion_reason
    from converted
),

final as (
    select
        c.order_id,
        core.hash64(c.order_id) as order_sk,
        c.customer_id_nat,
        c.surviving_customer_id_nat,
        coalesce(dc.customer_sk, 0) as customer_sk,
        c.store_sk,
        c.channel_sk,
        c.country_sk,
        c.region,
        c.order_type,
        c.final_status,
        c.order_flag,
        c.currency_code,
        c.net_amount as net_amount_native,
        c.vat_amount as vat_amount_native,
        c.fx_rate_to_aed,
        round(c.net_amount * c.fx_rate_to_aed, 2) as net_amount_aed,
        c.order_ts,
        c.order_ts_local,
        c.local_date,
        c.month_key,
        c.exclusion_reason is null as is_qualified,
        coalesce(c.exclusion_reason = 'RETURN', false) as is_qualified_return,
        c.exclusion_reason,
        c.updated_at,
        c.load_id,
        c.first_load_id
    from classified as c
    left join core.dim_customer as dc
        on c.surviving_customer_id_nat = dc.customer_id_nat
        and c.order_ts >= dc.valid_from
        and c.order_ts < dc.valid_to
)

select * from final;
