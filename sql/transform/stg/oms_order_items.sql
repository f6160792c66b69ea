-- stg.oms_order_items: merge the order lines of loads (from_load, to_load] — latest ingestion wins.
with incoming as (
    select distinct on (r.order_id, r.line_no)
        r.order_id,
        r.line_no,
        r.sku,
        r.category,
        r.quantity,
        r.unit_price,
        r.discount_amount,
        r.net_amount,
        r.cost_amount,
        fl.ingestion_date,
        r.load_id,
        r.source_line
    from raw.oms_order_items as r
    inner join audit.file_load as fl on r.load_id = fl.load_id
    where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
    order by r.order_id asc, r.line_no asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc
)

insert into stg.oms_order_items as s (
    order_id, line_no, sku, category, quantity, unit_price, discount_amount, net_amount, cost_amount,
    ingestion_date, load_id, source_line, changed_load_id
)
select
    order_id, line_no, sku, category, quantity, unit_price, discount_amount, net_amount, cost_amount,
    ingestion_date, load_id, source_line, load_id
from incoming
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
