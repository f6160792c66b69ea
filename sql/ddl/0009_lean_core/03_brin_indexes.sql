-- Block-range (BRIN) indexes on the big staged and core tables, in place of b-trees that cost a first build
-- about a minute to create. Order ids grow with time, and these tables are written in order-id order (staged
-- rows of later loads, and re-derived facts, are appended), so a month, a local date or a recent load
-- occupies a few consecutive block ranges: a daily run finds its rows by reading those ranges only.
-- fact_order's index on customer_id_nat had no reader and goes.
drop index core.fact_order_month_idx;
drop index core.fact_order_customer_idx;
drop index core.fact_order_local_date_idx;
drop index core.fact_order_line_month_idx;
drop index stg.stg_oms_orders_changed_idx;
drop index stg.stg_oms_order_items_changed_idx;

create index fact_order_month_brin on core.fact_order using brin (month_key);
create index fact_order_local_date_brin on core.fact_order using brin (local_date);
create index fact_order_line_month_brin on core.fact_order_line using brin (month_key);
create index stg_oms_orders_changed_brin on stg.oms_orders using brin (changed_load_id);
create index stg_oms_order_items_changed_brin on stg.oms_order_items using brin (changed_load_id);
