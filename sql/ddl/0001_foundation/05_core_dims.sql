-- core.dim_date: 1 row = 1 calendar day; month_key is the first day of the day's month (role activity_month).
create table core.dim_date (
    date_key date primary key,
    year smallint not null,
    quarter smallint not null,
    month smallint not null,
    month_key date not null,
    month_label char(7) not null,
    month_name text not null,
    day_of_month smallint not null,
    day_of_week smallint not null,
    day_name text not null,
    is_weekend boolean not null,
    is_month_end boolean not null
);

-- core.dim_country: 1 row = 1 country the retailer sells in (region UAE/KSA, currency, time zone).
create table core.dim_country (
    country_sk smallint primary key,
    country_code text not null unique,
    country_name text not null,
    region text not null,
    currency_code text,
    timezone text not null
);

-- core.dim_channel: 1 row = 1 sales channel.
create table core.dim_channel (
    channel_sk smallint primary key,
    channel_code text not null unique,
    channel_name text not null,
    is_online boolean not null
);

-- core.dim_store: 1 row = 1 store (type 1: latest attributes).
create table core.dim_store (
    store_sk bigint primary key,
    store_id text not null unique,
    store_name text not null,
    country_sk smallint not null,
    region text not null,
    timezone text not null,
    channel_sk smallint not null
);

-- core.dim_customer: 1 row = 1 version of 1 customer (SCD2 on full_name, loyalty_tier, region, is_vip_flag;
-- other attributes type 1). customer_sk = hash64(customer_id_nat || '|' || valid_from). customer_sk 0 is the
-- UNKNOWN member for guest orders; an order's customer not yet in the CRM gets an inferred member
-- (is_inferred) that the CRM row fills in when it arrives.
create table core.dim_customer (
    customer_sk bigint primary key,
    customer_id_nat text not null,
    valid_from timestamptz not null,
    valid_to timestamptz not null,
    is_current boolean not null,
    full_name text,
    loyalty_tier text,
    region text,
    is_vip_flag smallint not null,
    country_sk smallint,
    email text,
    phone text,
    city text,
    customer_flag text,
    acquisition_channel text,
    signup_date date,
    merged_into text,
    surviving_customer_id_nat text not null,
    is_inferred boolean not null,
    constraint dim_customer_version_uq unique (customer_id_nat, valid_from),
    constraint dim_customer_validity_chk check (valid_from < valid_to)
);
create index dim_customer_current_idx on core.dim_customer (customer_id_nat) where is_current;

-- core.customer_merge_map: 1 row = 1 merged customer id and the surviving id it rolls up to (transitive).
create table core.customer_merge_map (
    customer_id_nat text primary key,
    surviving_customer_id_nat text not null
);

-- core.order_pending: 1 row = 1 staged order that cannot enter fact_order yet (e.g. its store is unknown).
create table core.order_pending (
    order_id text primary key,
    store_id text not null,
    reason text not null,
    since_load_id bigint not null
);

-- core.build_state: named watermarks of the incremental build (e.g. the last load processed into core).
create table core.build_state (
    state_name text primary key,
    state_value bigint not null,
    updated_at timestamptz not null default now()
);
