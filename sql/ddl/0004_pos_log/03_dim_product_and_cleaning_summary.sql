-- core.dim_product: 1 row = 1 SKU (StockCode) of the POS log with its price history summarised and its
-- price behaviour flag (normal, oscillating_or_promotional, zero_or_manual, one_off_price_change, complex).
create table core.dim_product (
    stock_code text primary key,
    description text,
    distinct_prices integer not null,
    min_price numeric(16, 4),
    max_price numeric(16, 4),
    first_sold timestamp,
    last_sold timestamp,
    price_changes integer not null,
    price_flag text not null check (
        price_flag in ('normal', 'oscillating_or_promotional', 'zero_or_manual', 'one_off_price_change', 'complex')
    ),
    updated_load_id bigint not null
);

-- audit.cleaning_summary: 1 row = 1 load of a POS log x 1 cleaning category: rows and revenue
-- (Quantity x UnitPrice) per category, and whether the category reaches customer metrics. With the
-- rejected rows of the load it accounts for every line of the file.
create table audit.cleaning_summary (
    load_id bigint not null,
    category text not null,
    rows_count bigint not null,
    revenue numeric(18, 2) not null,
    feeds_customer_metrics boolean not null,
    feeds_returns boolean not null,
    primary key (load_id, category)
);
