-- tmp_customer_resolution: the few customers whose orders need more than their own id (merged into another
-- customer, flagged TEST/INTERNAL/FRAUD, or merged into a flagged one), with the surviving id and both flags.
-- Every other customer survives as itself, unflagged. One small lookup per order instead of three joins on
-- the whole CRM table.
create temporary table tmp_customer_resolution on commit drop as
select
    c.customer_id_nat,
    coalesce(m.surviving_customer_id_nat, c.customer_id_nat) as surviving_customer_id_nat,
    c.customer_flag as own_flag,
    s.customer_flag as survivor_flag
from stg.crm_customers as c
left join core.customer_merge_map as m on c.customer_id_nat = m.customer_id_nat
left join stg.crm_customers as s on m.surviving_customer_id_nat = s.customer_id_nat
where c.customer_flag is not null or m.customer_id_nat is not null;

alter table tmp_customer_resolution add primary key (customer_id_nat);

analyze tmp_customer_resolution;
