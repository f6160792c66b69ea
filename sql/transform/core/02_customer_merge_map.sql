-- core.customer_merge_map: each merged customer id -> the surviving id, following chains (A->B->C gives
-- A->C). tmp_changed_customer collects customers whose CRM row, flag or surviving id changed: their
-- orders are re-derived.
create temporary table tmp_merge_map on commit drop as
with recursive chain as (
    select
        customer_id_nat,
        merged_into as surviving_customer_id_nat,
        1 as depth
    from stg.crm_customers
    where merged_into is not null

    union all

    select
        chain.customer_id_nat,
        next_hop.merged_into as surviving_customer_id_nat,
        chain.depth + 1 as depth
    from chain
    inner join stg.crm_customers as next_hop on chain.surviving_customer_id_nat = next_hop.customer_id_nat
    where next_hop.merged_into is not null and chain.depth < 20
)

select distinct on (customer_id_nat)
    customer_id_nat,
    surviving_customer_id_nat,
    depth
from chain
order by customer_id_nat asc, depth desc;

create temporary table tmp_changed_customer on commit drop as
select customer_id_nat
from stg.crm_customers
where changed_load_id > %(watermark)s
union
select coalesce(new_map.customer_id_nat, old_map.customer_id_nat) as customer_id_nat
from tmp_merge_map as new_map
full outer join core.customer_merge_map as old_map on new_map.customer_id_nat = old_map.customer_id_nat
where new_map.surviving_customer_id_nat is distinct from old_map.surviving_customer_id_nat;

delete from core.customer_merge_map;

insert into core.customer_merge_map (customer_id_nat, surviving_customer_id_nat)
select
    customer_id_nat,
    surviving_customer_id_nat
from tmp_merge_map;
