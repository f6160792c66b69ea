-- Re-derives core.fact_order_line for the orders of tmp_changed_order from their new rows in tmp_fact_order
-- (apply_changes.sql).
delete from core.fact_order_line as l
using tmp_changed_order as t
where l.order_id = t.order_id;

insert into core.fact_order_line
select * from tmp_fact_order_line_rows;
