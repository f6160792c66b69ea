-- Re-derives core.fact_order for the orders of tmp_changed_order (incremental builds); apply_line_changes.sql
-- then re-derives their lines from tmp_fact_order.
-- Changes that land in a frozen month are written to audit.late_arrival; the frozen activity stays as is.
create temporary table tmp_fact_order on commit drop as
select * from tmp_fact_order_rows;

analyze tmp_fact_order;

insert into audit.late_arrival (order_id, month_key, change_kind, details, affects_activity, load_id, run_id)
with old_rows as (
    select f.*
    from core.fact_order as f
    inner join tmp_changed_order as t on f.order_id = t.order_id
)

select
    coalesce(n.order_id, o.order_id) as order_id,
    coalesce(n.month_key, o.month_key) as month_key,
    case when o.order_id is null then 'NEW' when n.order_id is null then 'REMOVED' else 'CHANGED' end as change_kind,
    concat_ws(
        '; ',
        'status ' || coalesce(o.final_status, '-') || ' -> ' || coalesce(n.final_status, '-'),
        'qualified ' || coalesce(o.is_qualified::text, '-') || ' -> ' || coalesce(n.is_qualified::text, '-'),
        'net_amount_aed ' || coalesce(o.net_amount_aed::text, '-') || ' -> ' || coalesce(n.net_amount_aed::text, '-')
    ) as details,
    coalesce(n.is_qualified, false) or coalesce(o.is_qualified, false) as affects_activity,
    coalesce(n.load_id, o.load_id) as load_id,
    %(run_id)s as run_id
from tmp_fact_order as n
full outer join old_rows as o on n.order_id = o.order_id
where
    (
        n.month_key in (select f.month_key from audit.month_freeze as f)
        or o.month_key in (select f.month_key from audit.month_freeze as f)
    )
    and (
        o.order_id is null
        or n.order_id is null
        or (n.final_status, n.is_qualified, n.net_amount_aed, n.month_key, n.surviving_customer_id_nat, n.order_type)
        is distinct from
        (o.final_status, o.is_qualified, o.net_amount_aed, o.month_key, o.surviving_customer_id_nat, o.order_type)
    )
on conflict (order_id, month_key, load_id) do nothing;

delete from core.fact_order as f
using tmp_changed_order as t
where f.order_id = t.order_id;

-- Sorted by key: the primary-key index then grows at its right edge instead of at random pages.
insert into core.fact_order
select * from tmp_fact_order
order by order_id;
