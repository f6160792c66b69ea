-- core.fact_order: 1 row = 1 order (latest state), with store-local time, FX used and qualification.
create table core.fact_order (
    order_id text primary key,
    order_sk bigint not null,
    customer_id_nat text,
    surviving_customer_id_nat text,
    customer_sk bigint not null,
    store_sk bigint not null,
    channel_sk smallint not null,
    country_sk smallint not null,
    region text not null,
    order_type text not null,
    final_status text not null,
    order_flag text,
    currency_code text not null,
    net_amount_native numeric(14, 2) not null,
    vat_amount_native numeric(14, 2) not null,
    fx_rate_to_aed numeric(18, 8),
    net_amount_aed numeric(14, 2),
    order_ts timestamptz not null,
    order_ts_local timestamp not null,
    local_date date not null,
    month_key date not null,
    is_qualified boolean not null,
    is_qualified_return boolean not null,
    exclusion_reason text,
    updated_at timestamptz not null,
    load_id bigint not null,
    first_load_id bigint not null
);
create index fact_order_month_idx on core.fact_order (month_key) include (is_qualified);
create index fact_order_customer_idx on core.fact_order (customer_id_nat);
create index fact_order_local_date_idx on core.fact_order (local_date, currency_code);

-- core.fact_order_line: 1 row = 1 order line; AED amounts are allocated so that they add up to the
-- order's AED amount to the cent.
create table core.fact_order_line (
    order_id text not null,
    line_no integer not null,
    order_sk bigint not null,
    sku text not null,
    category text,
    quantity numeric(14, 3) not null,
    unit_price numeric(16, 4) not null,
    discount_amount numeric(14, 2) not null,
    net_amount_native numeric(14, 2) not null,
    net_amount_aed numeric(14, 2),
    cost_amount_native numeric(16, 4),
    local_date date not null,
    month_key date not null,
    primary key (order_id, line_no)
);
create index fact_order_line_month_idx on core.fact_order_line (month_key);

-- core.fact_customer_monthly_activity: 1 row = 1 customer x 1 store-local calendar month, from the customer's
-- first qualified order month through the as-of month (DESIGN §4). One partition per month; a build swaps
-- whole partitions, frozen months are never rebuilt.
create table core.fact_customer_monthly_activity (
    customer_month_sk bigint not null,
    customer_id_nat text not null,
    month_key date not null,
    customer_sk bigint not null,
    country_sk smallint,
    is_active_flag smallint not null,
    is_new_flag smallint not null,
    is_repeat_flag smallint not null,
    orders_count_month integer not null,
    total_net_amount_native_month numeric(16, 2),
    native_currency_code text,
    total_net_amount_aed_month numeric(16, 2) not null,
    returns_count_month integer not null,
    returns_net_amount_aed_month numeric(16, 2) not null,
    first_order_month char(7) not null,
    last_order_month char(7) not null,
    loyalty_tier text,
    is_vip_flag smallint not null,
    as_of_date date not null,
    primary key (customer_id_nat, month_key)
) partition by range (month_key);

-- core.agg_activity_month_region: 1 row = 1 month x 1 region (UAE, KSA, ALL) of the activity fact (C1, C2).
create table core.agg_activity_month_region (
    month_key date not null,
    region text not null,
    active_customers integer not null,
    new_customers integer not null,
    repeat_customers integer not null,
    orders_count bigint not null,
    total_net_amount_aed numeric(18, 2) not null,
    as_of_date date not null,
    primary key (month_key, region)
);
