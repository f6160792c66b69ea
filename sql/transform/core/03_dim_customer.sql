-- core.dim_customer (SCD2 on full_name, loyalty_tier, region, is_vip) for customers whose CRM rows changed,
-- whose merge changed, or who appear on an order before their CRM row (inferred members). Each customer's
-- chain is rebuilt from all its versions; keys are hashes of (id, valid_from), so unchanged versions keep
-- their customer_sk.
-- The orders' customers are made distinct first: a first build reads millions of orders for about a million
-- customers, and probing the dimension (or sorting the union) per order costs minutes.
create temporary table tmp_dim_customer_ids on commit drop as
with order_customers as materialized (
    select distinct o.customer_id_nat
    from stg.oms_orders as o
    where o.changed_load_id > %(watermark)s and o.customer_id_nat is not null
)

select customer_id_nat from tmp_changed_customer
union
select oc.customer_id_nat
from order_customers as oc
where
    not exists (
        select 1 from core.dim_customer as d
        where d.customer_id_nat = oc.customer_id_nat
    )
union
select m.surviving_customer_id_nat
from core.customer_merge_map as m
where not exists (
    select 1 from core.dim_customer as d
    where d.customer_id_nat = m.surviving_customer_id_nat
);

analyze tmp_dim_customer_ids;

delete from core.dim_customer as d
using tmp_dim_customer_ids as t
where d.customer_id_nat = t.customer_id_nat;

insert into core.dim_customer (
    customer_sk, customer_id_nat, valid_from, valid_to, is_current, full_name, loyalty_tier, region, is_vip_flag,
    country_sk, email, phone, city, customer_flag, acquisition_channel, signup_date, merged_into,
    surviving_customer_id_nat, is_inferred
)
with versions as (
    select
        v.customer_id_nat,
        v.updated_at,
        v.full_name,
        v.loyalty_tier,
        v.region,
        v.is_vip,
        lag(row(v.full_name, v.loyalty_tier, v.region, v.is_vip)) over w as previous_attributes,
        row_number() over w as version_no
    from stg.crm_customer_versions as v
    inner join tmp_dim_customer_ids as t on v.customer_id_nat = t.customer_id_nat
    window w as (partition by v.customer_id_nat order by v.updated_at)
),

changes as (
    select *
    from versions
    where version_no = 1 or previous_attributes is distinct from row(full_name, loyalty_tier, region, is_vip)
),

chain as (
    select
        customer_id_nat,
        full_name,
        loyalty_tier,
        region,
        is_vip,
        case when row_number() over w = 1 then '-infinity'::timestamptz else updated_at end as valid_from,
        coalesce(lead(updated_at) over w, 'infinity'::timestamptz) as valid_to
    from changes
    window w as (partition by customer_id_nat order by updated_at)
)

select
    core.hash64(chain.customer_id_nat || '|' || chain.valid_from::text) as customer_sk,
    chain.customer_id_nat,
    chain.valid_from,
    chain.valid_to,
    chain.valid_to = 'infinity'::timestamptz as is_current,
    chain.full_name,
    chain.loyalty_tier,
    chain.region,
    chain.is_vip as is_vip_flag,
    country.country_sk,
    c.email,
    c.phone,
    c.city,
    c.customer_flag,
    c.acquisition_channel,
    c.signup_date,
    c.merged_into,
    coalesce(m.surviving_customer_id_nat, chain.customer_id_nat) as surviving_customer_id_nat,
    false as is_inferred
from chain
inner join stg.crm_customers as c on chain.customer_id_nat = c.customer_id_nat
left join core.dim_country as country on c.country_code = country.country_code
left join core.customer_merge_map as m on chain.customer_id_nat = m.customer_id_nat

union all

select
    core.hash64(t.customer_id_nat || '|' || '-infinity'::timestamptz::text) as customer_sk,
    t.customer_id_nat,
    '-infinity'::timestamptz as valid_from,
    'infinity'::timestamptz as valid_to,
    true as is_current,
    null as full_name,
    null as loyalty_tier,
    null as region,
    0 as is_vip_flag,
    null as country_sk,
    null as email,
    null as phone,
    null as city,
    null as customer_flag,
    null as acquisition_channel,
    null as signup_date,
    null as merged_into,
    t.customer_id_nat as surviving_customer_id_nat,
    true as is_inferred
from tmp_dim_customer_ids as t
where not exists (
    select 1 from stg.crm_customers as c
    where c.customer_id_nat = t.customer_id_nat
);
