-- tmp_fact_order_line_rows: the core.fact_order_line rows of the lines in {items} whose order is in
-- tmp_order_context. Each line is converted at its order's rate; when the lines add up to the order in native
-- currency, the rounding residue (a few cents at most) goes to the order's first line, so that the lines add up
-- to the order's AED to the cent. Both windows share one ordering by (order_id, line_no).
create or replace temporary view tmp_fact_order_line_rows as
with lines as (
    select
        i.order_id,
        i.line_no,
        i.sku,
        i.category,
        i.quantity,
        i.unit_price,
        i.discount_amount,
        i.net_amount,
        round(i.net_amount * c.fx_rate_to_aed, 2) as line_aed,
        i.cost_amount,
        c.local_date,
        c.month_key,
        c.net_amount as order_native,
        c.net_amount_aed as order_aed
    from {items} as i
    inner join tmp_order_context as c on i.order_id = c.order_id
),

with_order_totals as (
    select
        lines.*,
        row_number() over by_line as line_rank,
        sum(net_amount) over whole_order as lines_native,
        sum(line_aed) over whole_order as lines_aed
    from lines
    window whole_order as (partition by order_id), by_line as (partition by order_id order by line_no)
),

final as (
    select
        order_id,
        line_no,
        core.hash64(order_id) as order_sk,
        sku,
        category,
        quantity,
        unit_price,
        discount_amount,
        net_amount as net_amount_native,
        line_aed
        + case when line_rank = 1 and lines_native = order_native then order_aed - lines_aed else 0 end
        as net_amount_aed,
        cost_amount as cost_amount_native,
        local_date,
        month_key
    from with_order_totals
)

select * from final;
