-- Merge chains must end: a chain of 20 hops is a cycle (A merged into B merged into A).
select
    null::date as month_key,
    count(*) as observed,
    0 as expected,
    'customers whose merged_into chain does not end: ' || coalesce(string_agg(customer_id_nat, ', '), '') as details
from (
    with recursive chain as (
        select
            customer_id_nat,
            merged_into,
            1 as depth
        from stg.crm_customers
        where merged_into is not null
        union all
        select
            chain.customer_id_nat,
            c.merged_into,
            chain.depth + 1 as depth
        from chain
        inner join stg.crm_customers as c on chain.merged_into = c.customer_id_nat
        where c.merged_into is not null and chain.depth < 20
    )

    select distinct customer_id_nat from chain
    where depth >= 20
) as cycles;
