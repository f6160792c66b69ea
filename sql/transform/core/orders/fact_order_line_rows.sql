-- tmp_fact_order_line_rows: the core.fact_order_line rows (same columns, same order) of the lines in {items} whose
-- order is in {orders} (core.fact_order rows, already derived). Each line is converted at its order's rate; when
-- the lines add up to the order in native currency, the rounding residue (a few cents at most) goes to the
-- order's first line and is recorded in aed_rounding_adjustment, so that the lines add up to the order's AED to
-- the cent. The lines are read in key order and meet their orders in a merge join: one window pass per order,
-- with no hash of millions of orders and no sort.
create or replace temporary view tmp_fact_order_line_rows as
with lines as (
    select
        i.order_id,
        i.line_no,
        o.order_sk,
        i.sku,
        i.category,
        i.quantity,
        i.unit_price,
        i.discount_amount,
        i.net_amount,
        round(i.net_amount * o.fx_rate_to_aed, 2) as line_aed,
        i.cost_amount,
        o.local_date,
        o.month_key,
        o.is_qualified,
        o.net_amount_native as order_native,
        o.net_amount_aed as order_aed
    from (
        select * from {items}
        order by order_id, line_no
    ) as i
    inner join {orders} as o on i.order_id = o.order_id
),

with_order_totals as (
    select
        lines.*,
        row_number() over whole_order as line_rank,
        sum(lines.net_amount) over whole_order as lines_native,
        sum(lines.line_aed) over whole_order as lines_aed
    from lines
    window whole_order as (
        partition by order_id order by line_no rows between unbounded preceding and unbounded following
    )
),

with_adjustment as (
    select
        t.*,
        case when t.line_rank = 1 and t.lines_native = t.order_native then t.order_aed - t.lines_aed end as adjustment
    from with_order_totals as t
),

final as (
    select
        order_id,
        line_no,
        order_sk,
        sku,
        category,
        quantity,
        unit_price,
        discount_amount,
        net_amount as net_amount_native,
        line_aed + coalesce(adjustment, 0) as net_amount_aed,
        cost_amount as cost_amount_native,
        local_date,
        month_key,
        is_qualified,
        adjustment as aed_rounding_adjustment
    from with_adjustment
)

select * from final;
