-- Removes what revision 0009 added and restores the b-tree indexes it replaced.
drop index core.fact_order_month_brin;
drop index core.fact_order_local_date_brin;
drop index core.fact_order_line_month_brin;
drop index stg.stg_oms_orders_changed_brin;
drop index stg.stg_oms_order_items_changed_brin;
create index fact_order_month_idx on core.fact_order (month_key) include (is_qualified);
create index fact_order_customer_idx on core.fact_order (customer_id_nat);
create index fact_order_local_date_idx on core.fact_order (local_date, currency_code);
create index fact_order_line_month_idx on core.fact_order_line (month_key);
create index stg_oms_orders_changed_idx on stg.oms_orders (changed_load_id);
create index stg_oms_order_items_changed_idx on stg.oms_order_items (changed_load_id);

drop table if exists core.deferred_index;
alter table core.fact_order_line drop column if exists aed_rounding_adjustment, drop column if exists is_qualified;
