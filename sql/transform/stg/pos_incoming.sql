-- POS log invoices staged in this run (stg.pos_transactions changed after %(from_load)s), adapted into the
-- shapes of the OMS/CRM staging tables as temporary views tmp_pos_incoming_<table>, which the usual merges
-- (crm_customers.sql, oms_orders.sql, oms_order_items.sql) then apply. One order per InvoiceNo ('POS-'
-- prefix; credit notes are RETURN orders with negative amounts), one order line per StockCode, one customer
-- per normalised CustomerID, one pseudo-store per country. Only lines of categories that feed customer
-- metrics or returns (core.ref_pos_category) become order lines; the others stay in stg.pos_transactions
-- and the cleaning summary. InvoiceDate is wall-clock time in %(timezone)s; amounts are in %(currency)s.
create or replace temporary view tmp_pos_lines as
select t.*
from stg.pos_transactions as t
inner join core.ref_pos_category as c on t.category = c.category
where t.changed_load_id > %(from_load)s and (c.feeds_customer_metrics or c.feeds_returns);

create or replace temporary view tmp_pos_incoming_oms_orders as
select
    'POS-' || l.invoice_no as order_id,
    min(l.customer_id_nat) as customer_id_nat,
    'POS-' || coalesce(min(l.iso_code), 'XX') as store_id,
    'POS' as channel,
    case when min(l.invoice_kind) = 'credit_note' then 'RETURN' else 'SALE' end as order_type,
    min(l.invoice_ts) at time zone %(timezone)s as order_ts,
    'COMPLETED' as final_status,
    null::text as order_flag,
    %(currency)s::text as currency_code,
    sum(l.line_net) as net_amount,
    0::numeric as vat_amount,
    max(l.invoice_ts) at time zone %(timezone)s as updated_at,
    max(l.ingestion_date) as ingestion_date,
    max(l.load_id) as load_id,
    min(l.source_line) as source_line,
    max(l.load_id) as first_load_id,
    max(l.changed_load_id) as changed_load_id
from tmp_pos_lines as l
group by l.invoice_no;

create or replace temporary view tmp_pos_incoming_oms_order_items as
select
    'POS-' || l.invoice_no as order_id,
    (dense_rank() over (partition by l.invoice_no order by l.stock_code))::integer as line_no,
    l.stock_code as sku,
    null::text as category,
    sum(l.quantity) as quantity,
    case when sum(l.quantity) <> 0 then round(sum(l.line_net) / sum(l.quantity), 4) else max(l.unit_price) end
        as unit_price,
    0::numeric as discount_amount,
    sum(l.line_net) as net_amount,
    null::numeric as cost_amount,
    max(l.ingestion_date) as ingestion_date,
    max(l.load_id) as load_id,
    min(l.source_line) as source_line,
    max(l.changed_load_id) as changed_load_id
from tmp_pos_lines as l
group by l.invoice_no, l.stock_code;

-- A customer's country is the one of their latest invoice; the log knows nothing else about them.
create or replace temporary view tmp_pos_incoming_crm_customers as
select distinct on (l.customer_id_nat)
    l.customer_id_nat,
    null::text as full_name,
    null::text as email,
    null::text as phone,
    null::text as city,
    l.iso_code as country_code,
    c.region,
    null::text as loyalty_tier,
    0 as is_vip,
    null::text as customer_flag,
    'POS' as acquisition_channel,
    (min(l.invoice_ts) over (partition by l.customer_id_nat))::date as signup_date,
    null::text as merged_into,
    l.invoice_ts at time zone %(timezone)s as updated_at,
    l.ingestion_date,
    l.load_id,
    l.source_line,
    l.changed_load_id
from tmp_pos_lines as l
left join core.dim_country as c on l.iso_code = c.country_code
where l.customer_id_nat is not null
order by l.customer_id_nat asc, l.invoice_ts desc, l.load_id desc, l.source_line desc;

create or replace temporary view tmp_pos_incoming_crm_customer_versions as
select distinct on (l.customer_id_nat, l.invoice_ts)
    l.customer_id_nat,
    l.invoice_ts at time zone %(timezone)s as updated_at,
    null::text as full_name,
    null::text as loyalty_tier,
    c.region,
    0 as is_vip,
    l.ingestion_date,
    l.load_id,
    l.source_line,
    l.changed_load_id
from tmp_pos_lines as l
left join core.dim_country as c on l.iso_code = c.country_code
where l.customer_id_nat is not null
order by l.customer_id_nat asc, l.invoice_ts asc, l.load_id desc, l.source_line desc;

-- One pseudo-store per country of the log (XX: a country the map does not know).
insert into stg.pos_stores as s (
    store_id, store_name, country_code, region, timezone, channel, load_id, changed_load_id
)
select distinct on (coalesce(l.iso_code, 'XX'))
    'POS-' || coalesce(l.iso_code, 'XX') as store_id,
    'POS log ' || coalesce(c.country_name, 'unknown country') as store_name,
    coalesce(l.iso_code, '??') as country_code,
    coalesce(c.region, 'UNKNOWN') as region,
    %(timezone)s as timezone,
    'POS' as channel,
    l.load_id,
    l.changed_load_id
from tmp_pos_lines as l
left join core.dim_country as c on l.iso_code = c.country_code
order by coalesce(l.iso_code, 'XX') asc, l.load_id desc
on conflict (store_id) do update set
    store_name = excluded.store_name,
    country_code = excluded.country_code,
    region = excluded.region,
    timezone = excluded.timezone,
    load_id = excluded.load_id,
    changed_load_id = excluded.changed_load_id
where (excluded.store_name, excluded.region, excluded.timezone) is distinct from (s.store_name, s.region, s.timezone);

-- A re-delivered invoice replaces its lines: staged lines it no longer has go (the order is re-derived, as
-- its amount changed), and an invoice left without sale or return lines voids its order.
delete from stg.oms_order_items as i
using (
    select distinct 'POS-' || t.invoice_no as order_id
    from stg.pos_transactions as t
    where t.changed_load_id > %(from_load)s
) as redelivered
where
    i.order_id = redelivered.order_id
    and not exists (
        select 1 from tmp_pos_incoming_oms_order_items as n
        where n.order_id = i.order_id and n.line_no = i.line_no
    );

update stg.oms_orders as o
set final_status = 'VOIDED', changed_load_id = %(to_load)s
where
    o.order_id in (
        select 'POS-' || t.invoice_no from stg.pos_transactions as t
        where t.changed_load_id > %(from_load)s
    )
    and o.order_id not in (select order_id from tmp_pos_incoming_oms_orders)
    and o.final_status <> 'VOIDED';
