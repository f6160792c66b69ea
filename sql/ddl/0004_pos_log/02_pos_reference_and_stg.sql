-- POS log cleaning reference tables (DESIGN §5), seeded from sql/seed/pos_*.csv by this revision; users may
-- extend them (new keywords, countries) and the next load classifies with the new version.
-- core.ref_pos_category: 1 row = 1 cleaning category and what it feeds.
create table core.ref_pos_category (
    category text primary key,
    sort_order integer not null unique,
    feeds_customer_metrics boolean not null,
    feeds_returns boolean not null,
    description text,
    version integer not null
);

-- core.ref_pos_cleaning_rule: 1 row = 1 rule; the first matching rule in priority order gives a line its
-- category (analytics.pos.cleaning).
create table core.ref_pos_cleaning_rule (
    rule_id text primary key,
    priority integer not null unique,
    category text not null references core.ref_pos_category (category),
    field text,
    match text not null,
    pattern text,
    case_sensitive boolean not null,
    and_field text,
    and_match text,
    and_pattern text,
    description text,
    version integer not null
);

-- core.ref_pos_country_map: 1 row = 1 country name as POS logs write it, with the country it means.
create table core.ref_pos_country_map (
    source_country text primary key,
    country_name text not null,
    iso_code text,
    excluded boolean not null,
    version integer not null
);

-- stg.pos_transactions: 1 row = 1 line of the latest delivery of each invoice, classified into exactly one
-- cleaning category (with the rule that decided it), customer id and country normalised.
create table stg.pos_transactions (
    invoice_no text not null,
    line_seq integer not null,
    stock_code text not null,
    description text,
    quantity integer not null,
    invoice_ts timestamp not null,
    unit_price numeric(16, 4) not null,
    customer_id_nat text,
    country_name text,
    iso_code text,
    invoice_kind text not null,
    line_net numeric(16, 2) not null,
    category text not null,
    rule_id text not null,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null,
    primary key (invoice_no, line_seq)
);

create index stg_pos_transactions_changed_idx on stg.pos_transactions (changed_load_id);
create index stg_pos_transactions_stock_idx on stg.pos_transactions (stock_code);
