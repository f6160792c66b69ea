-- Merge incoming customers and their versions (the tmp_incoming_* views of incoming.sql, or the
-- tmp_pos_incoming_* views of pos_incoming.sql) into
-- stg.crm_customers (latest version per customer) and stg.crm_customer_versions (every distinct updated_at,
-- for SCD2). A later, different row replaces the staged one; an identical re-delivery changes nothing.
insert into stg.crm_customers as s (
    customer_id_nat, full_name, email, phone, city, country_code, region, loyalty_tier, is_vip, customer_flag,
    acquisition_channel, signup_date, merged_into, updated_at, ingestion_date, load_id, source_line, changed_load_id
)
select
    customer_id_nat,
    full_name,
    email,
    phone,
    city,
    country_code,
    region,
    loyalty_tier,
    is_vip,
    customer_flag,
    acquisition_channel,
    signup_date,
    merged_into,
    updated_at,
    ingestion_date,
    load_id,
    source_line,
    changed_load_id
from {crm_customers}
on conflict (customer_id_nat) do update set
    full_name = excluded.full_name,
    email = excluded.email,
    phone = excluded.phone,
    city = excluded.city,
    country_code = excluded.country_code,
    region = excluded.region,
    loyalty_tier = excluded.loyalty_tier,
    is_vip = excluded.is_vip,
    customer_flag = excluded.customer_flag,
    acquisition_channel = excluded.acquisition_channel,
    signup_date = excluded.signup_date,
    merged_into = excluded.merged_into,
    updated_at = excluded.updated_at,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.updated_at, excluded.ingestion_date, excluded.load_id, excluded.source_line)
> (s.updated_at, s.ingestion_date, s.load_id, s.source_line)
and (
    excluded.full_name, excluded.email, excluded.phone, excluded.city, excluded.country_code,
    excluded.loyalty_tier, excluded.is_vip, excluded.customer_flag, excluded.acquisition_channel,
    excluded.signup_date, excluded.merged_into, excluded.updated_at
) is distinct from (
    s.full_name, s.email, s.phone, s.city, s.country_code,
    s.loyalty_tier, s.is_vip, s.customer_flag, s.acquisition_channel,
    s.signup_date, s.merged_into, s.updated_at
);

insert into stg.crm_customer_versions as v (
    customer_id_nat, updated_at, full_name, loyalty_tier, region, is_vip, ingestion_date, load_id, source_line,
    changed_load_id
)
select
    customer_id_nat,
    updated_at,
    full_name,
    loyalty_tier,
    region,
    is_vip,
    ingestion_date,
    load_id,
    source_line,
    changed_load_id
from {crm_customer_versions}
on conflict (customer_id_nat, updated_at) do update set
    full_name = excluded.full_name,
    loyalty_tier = excluded.loyalty_tier,
    region = excluded.region,
    is_vip = excluded.is_vip,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.ingestion_date, excluded.load_id, excluded.source_line) > (v.ingestion_date, v.load_id, v.source_line)
and (excluded.full_name, excluded.loyalty_tier, excluded.region, excluded.is_vip)
is distinct from (v.full_name, v.loyalty_tier, v.region, v.is_vip);
