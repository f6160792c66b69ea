-- stg: the current state of every source record (latest updated_at, then latest ingestion, wins).
-- changed_load_id = the load whose row last changed the record; core picks up changes past its watermark.

-- 1 row = 1 order (latest version).
create table stg.oms_orders (
    order_id text primary key,
    customer_id_nat text,
    store_id text not null,
    channel text not null,
    order_type text not null,
    order_ts timestamptz not null,
    final_status text not null,
    order_flag text,
    currency_code text not null,
    net_amount numeric(14, 2) not null,
    vat_amount numeric(14, 2) not null,
    updated_at timestamptz not null,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    first_load_id bigint not null,
    changed_load_id bigint not null
);
create index stg_oms_orders_changed_idx on stg.oms_orders (changed_load_id);
create index stg_oms_orders_customer_idx on stg.oms_orders (customer_id_nat);

-- 1 row = 1 order line (latest delivery).
create table stg.oms_order_items (
    order_id text not null,
    line_no integer not null,
    sku text not null,
    category text,
    quantity numeric(14, 3) not null,
    unit_price numeric(16, 4) not null,
    discount_amount numeric(14, 2) not null,
    net_amount numeric(14, 2) not null,
    cost_amount numeric(16, 4),
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null,
    primary key (order_id, line_no)
);
create index stg_oms_order_items_changed_idx on stg.oms_order_items (changed_load_id);

-- 1 row = 1 customer (latest version).
create table stg.crm_customers (
    customer_id_nat text primary key,
    full_name text,
    email text,
    phone text,
    city text,
    country_code text,
    region text,
    loyalty_tier text,
    is_vip smallint not null,
    customer_flag text,
    acquisition_channel text,
    signup_date date,
    merged_into text,
    updated_at timestamptz not null,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null
);
create index stg_crm_customers_changed_idx on stg.crm_customers (changed_load_id);

-- 1 row = 1 version of a customer's SCD2 attributes (one per distinct updated_at).
create table stg.crm_customer_versions (
    customer_id_nat text not null,
    updated_at timestamptz not null,
    full_name text,
    loyalty_tier text,
    region text,
    is_vip smallint not null,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null,
    primary key (customer_id_nat, updated_at)
);
create index stg_crm_customer_versions_changed_idx on stg.crm_customer_versions (changed_load_id);

-- 1 row = 1 store (latest delivery).
create table stg.pos_stores (
    store_id text primary key,
    store_name text not null,
    country_code text not null,
    region text not null,
    timezone text not null,
    channel text not null,
    load_id bigint not null,
    changed_load_id bigint not null
);

-- 1 row = 1 currency rate of 1 day (latest delivery).
create table stg.fx_rates (
    rate_date date not null,
    currency_code text not null,
    rate_to_aed numeric(18, 8) not null,
    load_id bigint not null,
    changed_load_id bigint not null,
    primary key (rate_date, currency_code)
);
create index stg_fx_rates_changed_idx on stg.fx_rates (changed_load_id);
