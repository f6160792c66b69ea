-- tmp_changed_order: every order whose inputs changed after the core watermark (the order or its lines, its
-- store, the FX rate of its local date, or its customer: flag, merge); apply_changes.sql re-derives them.
create temporary table tmp_changed_order (order_id text not null) on commit drop;

-- The first build takes every staged order; later builds only what changed past the watermark.
insert into tmp_changed_order (order_id)
select order_id from stg.oms_orders
where %(watermark)s = 0
union all
(
    select order_id from stg.oms_orders
    where changed_load_id > %(watermark)s and %(watermark)s > 0
    union
    select order_id from stg.oms_order_items
    where changed_load_id > %(watermark)s and %(watermark)s > 0
    union
    select o.order_id from stg.oms_orders as o inner join tmp_changed_store as s on o.store_id = s.store_id
    where %(watermark)s > 0
    union
    select f.order_id
    from core.fact_order as f
    inner join stg.fx_rates as r on f.local_date = r.rate_date and f.currency_code = r.currency_code
    where r.changed_load_id > %(watermark)s and %(watermark)s > 0
    union
    select o.order_id
    from stg.oms_orders as o inner join tmp_changed_customer as c on o.customer_id_nat = c.customer_id_nat
    where %(watermark)s > 0
    union
    select o.order_id
    from stg.oms_orders as o
    inner join core.customer_merge_map as m on o.customer_id_nat = m.customer_id_nat
    inner join tmp_changed_customer as c on m.surviving_customer_id_nat = c.customer_id_nat
    where %(watermark)s > 0
);

analyze tmp_changed_order;

-- The staged rows of the changed orders, read by fact_order_rows.sql and fact_order_line_rows.sql.
create or replace temporary view tmp_changed_stg_orders as
select o.*
from stg.oms_orders as o
where o.order_id in (select t.order_id from tmp_changed_order as t);

create or replace temporary view tmp_changed_stg_items as
select i.*
from stg.oms_order_items as i
where i.order_id in (select t.order_id from tmp_changed_order as t);
