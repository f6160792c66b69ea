-- raw.pos_transactions: 1 row = 1 accepted line of a loaded pos_transactions.csv (the classic POS /
-- online-retail log), typed; InvoiceDate is wall-clock time in the log's time zone (ANALYTICS_POS_TIMEZONE).
create table raw.pos_transactions (
    load_id bigint not null,
    source_line integer not null,
    invoice_no text not null,
    stock_code text not null,
    description text,
    quantity integer not null,
    invoice_ts timestamp not null,
    unit_price numeric(16, 4) not null,
    customer_id text,
    country text
);

create index raw_pos_transactions_load_idx on raw.pos_transactions using brin (load_id);
