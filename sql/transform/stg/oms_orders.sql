-- Merge incoming orders (a view: tmp_incoming_oms_orders of incoming.sql, or tmp_pos_incoming_oms_orders of
-- pos_incoming.sql) into stg.oms_orders: a row replaces the staged one when it is later by (updated_at,
-- ingestion, load, line) and differs; an identical re-delivery changes nothing. first_load_id keeps the
-- load that first brought the order.
insert into stg.oms_orders as s (
    order_id, customer_id_nat, store_id, channel, order_type, order_ts, final_status, order_flag,
    currency_code, net_amount, vat_amount, updated_at, ingestion_date, load_id, source_line,
    first_load_id, changed_load_id
)
select
    order_id,
    customer_id_nat,
    store_id,
    channel,
    order_type,
    order_ts,
    final_status,
    order_flag,
    currency_code,
    net_amount,
    vat_amount,
    updated_at,
    ingestion_date,
    load_id,
    source_line,
    first_load_id,
    changed_load_id
from {oms_orders}
on conflict (order_id) do update set
    customer_id_nat = excluded.customer_id_nat,
    store_id = excluded.store_id,
    channel = excluded.channel,
    order_type = excluded.order_type,
    order_ts = excluded.order_ts,
    final_status = excluded.final_status,
    order_flag = excluded.order_flag,
    currency_code = excluded.currency_code,
    net_amount = excluded.net_amount,
    vat_amount = excluded.vat_amount,
    updated_at = excluded.updated_at,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.updated_at, excluded.ingestion_date, excluded.load_id, excluded.source_line)
> (s.updated_at, s.ingestion_date, s.load_id, s.source_line)
and (
    excluded.customer_id_nat, excluded.store_id, excluded.channel, excluded.order_type, excluded.order_ts,
    excluded.final_status, excluded.order_flag, excluded.currency_code, excluded.net_amount,
    excluded.vat_amount, excluded.updated_at
) is distinct from (
    s.customer_id_nat, s.store_id, s.channel, s.order_type, s.order_ts,
    s.final_status, s.order_flag, s.currency_code, s.net_amount,
    s.vat_amount, s.updated_at
);
