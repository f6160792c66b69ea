-- mart.vw_segment_migration: 1 row = 1 (from segment, to segment) pair: customers in to_segment in the newest
-- published snapshot by their segment in the newest snapshot at least 30 days older (from 'NEW' when they
-- were not scored then). movement compares the segments' value_rank in core.dim_customer_segment: Upgraded,
-- Downgraded, Same, New (Changed when a segment has no rank). No rows until such an older snapshot exists.
-- Materialized (joins two snapshots of every customer), refreshed after each publish by analytics.marts.
create materialized view mart.vw_segment_migration as
with latest as (
    select max(s.snapshot_date) as snapshot_date from core.score_snapshot as s
),

earlier as (
    select max(s.snapshot_date) as snapshot_date
    from core.score_snapshot as s
    where s.snapshot_date <= (select l.snapshot_date - 30 from latest as l)
),

now_scored as (
    select
        r.snapshot_date,
        r.customer_id_nat,
        r.segment_code
    from core.fact_customer_rfm as r
    where r.snapshot_date = (select l.snapshot_date from latest as l)
),

then_scored as (
    select
        r.snapshot_date,
        r.customer_id_nat,
        r.segment_code
    from core.fact_customer_rfm as r
    where r.snapshot_date = (select e.snapshot_date from earlier as e)
),

moves as (
    select
        n.snapshot_date,
        e.snapshot_date as previous_snapshot_date,
        coalesce(t.segment_code, 'NEW') as from_segment_code,
        n.segment_code as to_segment_code,
        count(*) as customers
    from now_scored as n
    cross join earlier as e
    left join then_scored as t on n.customer_id_nat = t.customer_id_nat
    where e.snapshot_date is not null
    group by n.snapshot_date, e.snapshot_date, coalesce(t.segment_code, 'NEW'), n.segment_code
),

final as (
    select
        m.snapshot_date,
        m.previous_snapshot_date,
        m.from_segment_code,
        coalesce(f.segment_name, 'New customer') as from_segment_name,
        m.to_segment_code,
        t.segment_name as to_segment_name,
        case
            when m.from_segment_code = 'NEW' then 'New'
            when m.from_segment_code = m.to_segment_code then 'Same'
            when t.value_rank < f.value_rank then 'Upgraded'
            when t.value_rank > f.value_rank then 'Downgraded'
            else 'Changed'
        end as movement,
        m.customers,
        round(m.customers::numeric / sum(m.customers) over (), 4) as customer_share
    from moves as m
    left join core.dim_customer_segment as f
        on f.segment_type = 'rfm' and m.from_segment_code = f.segment_code
    left join core.dim_customer_segment as t
        on t.segment_type = 'rfm' and m.to_segment_code = t.segment_code
)

select * from final;

create unique index vw_segment_migration_uq
on mart.vw_segment_migration (snapshot_date, from_segment_code, to_segment_code);
