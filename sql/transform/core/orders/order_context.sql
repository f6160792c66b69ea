-- tmp_order_context: 1 row = 1 order of {orders} whose store and channel are known, with its store-local time,
-- local date, month, the FX rate of that local date and its AED amount. fact_order and fact_order_line both
-- read it, so an order and its lines are always converted at the same rate.
create or replace temporary view tmp_order_context as
with orders as (
    select
        o.*,
        st.store_sk,
        st.country_sk,
        st.region,
        ch.channel_sk,
        (o.order_ts at time zone st.timezone) as order_ts_local
    from {orders} as o
    inner join core.dim_store as st on o.store_id = st.store_id
    inner join core.dim_channel as ch on o.channel = ch.channel_code
),

converted as (
    select
        orders.*,
        orders.order_ts_local::date as local_date,
        date_trunc('month', orders.order_ts_local)::date as month_key,
        coalesce(fx.rate_to_aed, case when orders.currency_code = 'AED' then 1.0 end) as fx_rate_to_aed
    from orders
    left join stg.fx_rates as fx
        on orders.order_ts_local::date = fx.rate_date and orders.currency_code = fx.currency_code
),

final as (
    select
        converted.*,
        round(converted.net_amount * converted.fx_rate_to_aed, 2) as net_amount_aed
    from converted
)

select * from final;
