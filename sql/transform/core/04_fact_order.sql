-- core.fact_order and core.fact_order_line for every order whose inputs changed after the core watermark:
-- the order or its lines, its store, the FX rate of its local date, or its customer (flag, merge).
-- Changes that land in a frozen month are written to audit.late_arrival; the frozen activity stays as is.
create temporary table tmp_changed_order (order_id text not null) on commit drop;

-- The first build takes every staged order; later builds only what changed past the watermark.
insert into tmp_changed_order (order_id)
select order_id from stg.oms_orders where %(watermark)s = 0
union all
(
    select order_id from stg.oms_orders where changed_load_id > %(watermark)s and %(watermark)s > 0
    union
    select order_id from stg.oms_order_items where changed_load_id > %(watermark)s and %(watermark)s > 0
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

create temporary table tmp_fact_order on commit drop as
with orders as (
    select
        o.*,
        case
            when o.customer_id_nat is not null then coalesce(m.surviving_customer_id_nat, o.customer_id_nat)
        end as surviving_customer_id_nat,
        own.customer_flag as own_flag,
        survivor.customer_flag as survivor_flag,
        st.store_sk,
        st.country_sk,
        st.region,
        st.timezone,
        (o.order_ts at time zone st.timezone) as order_ts_local
    from tmp_changed_order as t
    inner join stg.oms_orders as o on t.order_id = o.order_id
    inner join core.dim_store as st on o.store_id = st.store_id
    left join core.customer_merge_map as m on o.customer_id_nat = m.customer_id_nat
    left join stg.crm_customers as own on o.customer_id_nat = own.customer_id_nat
    left join stg.crm_customers as survivor
        on coalesce(m.surviving_customer_id_nat, o.customer_id_nat) = survivor.customer_id_nat
),

classified as (
    select
        orders.*,
        case
            when order_type = 'RETURN' and final_status not in ('COMPLETED', 'FULFILLED') then 'RETURN_NOT_COMPLETED'
            when final_status not in ('COMPLETED', 'FULFILLED') then 'STATUS_' || final_status
            when order_flag is not null then 'ORDER_FLAG_' || order_flag
            when customer_id_nat is null then 'GUEST'
            when own_flag is not null then 'CUSTOMER_FLAG_' || own_flag
            when survivor_flag is not null then 'CUSTOMER_FLAG_' || survivor_flag
            when order_type = 'RETURN' then 'RETURN'
        end as exclusion_reason
    from orders
),

final as (
    select
        c.order_id,
        core.hash64(c.order_id) as order_sk,
        c.customer_id_nat,
        c.surviving_customer_id_nat,
        coalesce(dc.customer_sk, 0) as customer_sk,
        c.store_sk,
        ch.channel_sk,
        c.country_sk,
        c.region,
        c.order_type,
        c.final_status,
        c.order_flag,
        c.currency_code,
        c.net_amount as net_amount_native,
        c.vat_amount as vat_amount_native,
        coalesce(fx.rate_to_aed, case when c.currency_code = 'AED' then 1.0 end) as fx_rate_to_aed,
        round(c.net_amount * coalesce(fx.rate_to_aed, case when c.currency_code = 'AED' then 1.0 end), 2)
            as net_amount_aed,
        c.order_ts,
        c.order_ts_local,
        c.order_ts_local::date as local_date,
        date_trunc('month', c.order_ts_local)::date as month_key,
        c.exclusion_reason is null as is_qualified,
        coalesce(c.exclusion_reason = 'RETURN', false) as is_qualified_return,
        c.exclusion_reason,
        c.updated_at,
        c.load_id,
        c.first_load_id
    from classified as c
    inner join core.dim_channel as ch on c.channel = ch.channel_code
    left join stg.fx_rates as fx on c.order_ts_local::date = fx.rate_date and c.currency_code = fx.currency_code
    left join core.dim_customer as dc
        on c.surviving_customer_id_nat = dc.customer_id_nat
        and c.order_ts >= dc.valid_from
        and c.order_ts < dc.valid_to
)

select * from final;

-- Orders whose store is not known yet wait in core.order_pending (reported by DQ).
delete from core.order_pending as p
using tmp_changed_order as t
where p.order_id = t.order_id;

insert into core.order_pending (order_id, store_id, reason, since_load_id)
select o.order_id, o.store_id, 'store_id not in pos_stores', o.load_id
from tmp_changed_order as t
inner join stg.oms_orders as o on t.order_id = o.order_id
where not exists (select 1 from core.dim_store as s where s.store_id = o.store_id);

insert into audit.late_arrival (order_id, month_key, change_kind, details, affects_activity, load_id, run_id)
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
full outer join (
    select f.*
    from core.fact_order as f
    inner join tmp_changed_order as t on f.order_id = t.order_id
) as o on n.order_id = o.order_id
where
    (
        n.month_key in (select month_key from audit.month_freeze)
        or o.month_key in (select month_key from audit.month_freeze)
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

delete from core.fact_order_line as l
using tmp_changed_order as t
where l.order_id = t.order_id;

-- Line AED: each line converted at the order's rate; when the lines add up to the order in native
-- currency, the rounding residue (a few cents at most) goes to the order's first line so that the lines
-- add up to the order's AED to the cent. One sort by (order_id, line_no) serves both windows and the
-- insert order.
insert into core.fact_order_line (
    order_id, line_no, order_sk, sku, category, quantity, unit_price, discount_amount, net_amount_native,
    net_amount_aed, cost_amount_native, local_date, month_key
)
with lines as (
    select
        i.order_id,
        i.line_no,
        f.order_sk,
        i.sku,
        i.category,
        i.quantity,
        i.unit_price,
        i.discount_amount,
        i.net_amount,
        round(i.net_amount * f.fx_rate_to_aed, 2) as line_aed,
        i.cost_amount,
        f.local_date,
        f.month_key,
        f.net_amount_native as order_native,
        f.net_amount_aed as order_aed
    from tmp_fact_order as f
    inner join stg.oms_order_items as i on f.order_id = i.order_id
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
        order_sk,
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

select * from final
order by order_id, line_no;
