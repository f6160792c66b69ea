-- One lane of a first build: the staged orders, staged lines and built orders whose order_id lies in
-- [%(low)s, %(high)s) (a NULL bound is open), as temporary views named tmp_lane_<what>.
create or replace temporary view tmp_lane_orders as
select *
from stg.oms_orders
where (%(low)s::text is null or order_id >= %(low)s) and (%(high)s::text is null or order_id < %(high)s);

create or replace temporary view tmp_lane_items as
select *
from stg.oms_order_items
where (%(low)s::text is null or order_id >= %(low)s) and (%(high)s::text is null or order_id < %(high)s);

create or replace temporary view tmp_lane_fact_orders as
select *
from core.fact_order
where (%(low)s::text is null or order_id >= %(low)s) and (%(high)s::text is null or order_id < %(high)s);
