-- Merge incoming order lines (tmp_incoming_oms_order_items of incoming.sql, or tmp_pos_incoming_... of
-- pos_incoming.sql) into stg.oms_order_items: latest ingestion wins; an identical re-delivery changes nothing.
insert into stg.oms_order_items as s (
    order_id, line_no, sku, category, quantity, unit_price, discount_amount, net_amount, cost_amount,
    ingestion_date, load_id, source_line, changed_load_id
)
select
    order_id,
    line_no,
    sku,
    category,
    quantity,
    unit_price,
    discount_amount,
    net_amount,
    cost_amount,
    ingestion_date,
    load_id,
    source_line,
    changed_load_id
from {oms_order_items}
on conflict (order_id, line_no) do update set
    sku = excluded.sku,
    category = excluded.category,
    quantity = excluded.quantity,
    unit_price = excluded.unit_price,
    discount_amount = excluded.discount_amount,
    net_amount = excluded.net_amount,
    cost_amount = excluded.cost_amount,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.ingestion_date, excluded.load_id, excluded.source_line) > (s.ingestion_date, s.load_id, s.source_line)
and (
    excluded.sku, excluded.category, excluded.quantity, excluded.unit_price, excluded.discount_amount,
    excluded.net_amount, excluded.cost_amount
) is distinct from (s.sku, s.category, s.quantity, s.unit_price, s.discount_amount, s.net_amount, s.cost_amount);
