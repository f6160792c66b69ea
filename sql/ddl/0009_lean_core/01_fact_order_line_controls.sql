-- Each order line carries what the line controls need, so that they read one table instead of joining 15M
-- orders to 22M lines: the order's qualification, and the rounding adjustment the AED allocation put on the
-- order's first line (NULL on the other lines, and on every line of an order whose lines do not add up).
alter table core.fact_order_line
add column is_qualified boolean,
add column aed_rounding_adjustment numeric(14, 2);

update core.fact_order_line as l
set is_qualified = o.is_qualified
from core.fact_order as o
where l.order_id = o.order_id;

-- Lines built before this revision: the adjustment is what the first line carries beyond its own rounded amount.
with orders_in_balance as (
    select
        o.order_id,
        min(l.line_no) as first_line_no,
        o.fx_rate_to_aed
    from core.fact_order as o
    inner join core.fact_order_line as l on o.order_id = l.order_id
    group by o.order_id, o.fx_rate_to_aed, o.net_amount_native
    having sum(l.net_amount_native) = o.net_amount_native
)

update core.fact_order_line as l
set aed_rounding_adjustment = l.net_amount_aed - round(l.net_amount_native * b.fx_rate_to_aed, 2)
from orders_in_balance as b
where l.order_id = b.order_id and l.line_no = b.first_line_no;

update core.fact_order_line set is_qualified = false
where is_qualified is null;

alter table core.fact_order_line alter column is_qualified set not null;
