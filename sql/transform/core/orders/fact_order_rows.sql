-- tmp_fact_order_rows: the core.fact_order rows (same columns, same order) of the orders in tmp_order_context:
-- surviving customer after merges, qualification (DESIGN §4) with the first reason an order is excluded,
-- and the customer's SCD2 version at the time of the order.
create or replace temporary view tmp_fact_order_rows as
with flagged as not materialized (
    -- The few flagged customers (TEST, INTERNAL, FRAUD): a small lookup, where probing every CRM customer for
    -- each of millions of orders misses the CPU caches.
    select customer_id_nat, customer_flag
    from stg.crm_customers
    where customer_flag is not null
),

orders as (
    select
        c.*,
        case
            when c.customer_id_nat is not null then coalesce(m.surviving_customer_id_nat, c.customer_id_nat)
        end as surviving_customer_id_nat,
        own.customer_flag as own_flag,
        survivor.customer_flag as survivor_flag
    from tmp_order_context as c
    left join core.customer_merge_map as m on c.customer_id_nat = m.customer_id_nat
    left join flagged as own on c.customer_id_nat = own.customer_id_nat
    left join flagged as survivor on coalesce(m.surviving_customer_id_nat, c.customer_id_nat) = survivor.customer_id_nat
),

classified as (
    select
        orders.*,
        case
            when order_type = 'RETURN' and final_status not in ('COMPLETED', 'FULFILLED') then 'RETURN_NOT_COMPLETED'
            when final_status not in ('COMPLETED', 'FULFILLED') then 'STATUS_' || final_status
            when order_flag is not null then 'ORDER_FLAG_' || order_flag
            when customer_id_nat is null then 'GUEST'
            when own_flag is not null then 'CUSTOMER_FLAG_' || own_flag
            when survivor_flag is not null then 'CUSTOMER_FLAG_' || survivor_flag
            when order_type = 'RETURN' then 'RETURN'
        end as exclusion_reason
    from orders
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
        c.net_amount_aed,
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
