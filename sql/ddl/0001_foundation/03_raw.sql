-- raw: typed copies of accepted extract rows, append-only, 1 row = 1 accepted line of 1 loaded file.
-- load_id only grows, so a BRIN index finds a load range at almost no cost to COPY.
create table raw.oms_orders (
    load_id bigint not null,
    source_line integer not null,
    order_id text not null,
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
    updated_at timestamptz not null
);
create index raw_oms_orders_load_idx on raw.oms_orders using brin (load_id);

create table raw.oms_order_items (
    load_id bigint not null,
    source_line integer not null,
    order_id text not null,
    line_no integer not null,
    sku text not null,
    category text,
    quantity numeric(14, 3) not null,
    unit_price numeric(16, 4) not null,
    discount_amount numeric(14, 2) not null,
    net_amount numeric(14, 2) not null,
    cost_amount numeric(16, 4)
);
create index raw_oms_order_items_load_idx on raw.oms_order_items using brin (load_id);

create table raw.crm_customers (
    load_id bigint not null,
    source_line integer not null,
    customer_id_nat text not null,
    full_name text,
    email text,
    phone text,
    city text,
    country_code text,
    loyalty_tier text,
    is_vip smallint not null,
    customer_flag text,
    acquisition_channel text,
    signup_date date,
    merged_into text,
    updated_at timestamptz not null
);
create index raw_crm_customers_load_idx on raw.crm_customers using brin (load_id);

create table raw.pos_stores (
    load_id bigint not null,
    source_line integer not null,
    store_id text not null,
    store_name text not null,
    country_code text not null,
    region text not null,
    timezone text not null,
    channel text not null
);
create index raw_pos_stores_load_idx on raw.pos_stores using brin (load_id);

create table raw.fx_rates (
    load_id bigint not null,
    source_line integer not null,
    rate_date date not null,
    currency_code text not null,
    rate_to_aed numeric(18, 8) not null
);
create index raw_fx_rates_load_idx on raw.fx_rates using brin (load_id);
