-- The raw rows of loads (from_load, to_load], one per stg key, as temporary views named
-- tmp_incoming_<stg table> with exactly the stg table's columns. Latest updated_at wins (for sources that
-- have one), then latest ingestion, then latest load and file line. A first load appends these rows to the
-- empty stg tables; later loads merge them (crm_customers.sql, oms_orders.sql, oms_order_items.sql,
-- marketing.sql).
create or replace temporary view tmp_incoming_crm_customers as
select distinct on (r.customer_id_nat)
    r.customer_id_nat,
    r.full_name,
    r.email,
    r.phone,
    r.city,
    r.country_code,
    c.region,
    r.loyalty_tier,
    r.is_vip,
    r.customer_flag,
    r.acquisition_channel,
    r.signup_date,
    nullif(r.merged_into, r.customer_id_nat) as merged_into,
    r.updated_at,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as changed_load_id
from raw.crm_customers as r
inner join audit.file_load as fl on r.load_id = fl.load_id
left join core.dim_country as c on r.country_code = c.country_code
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.customer_id_nat asc, r.updated_at desc, fl.ingestion_date desc, r.load_id desc, r.source_line desc;

-- Every distinct updated_at of a customer (the SCD2 history of dim_customer).
create or replace temporary view tmp_incoming_crm_customer_versions as
select distinct on (r.customer_id_nat, r.updated_at)
    r.customer_id_nat,
    r.updated_at,
    r.full_name,
    r.loyalty_tier,
    c.region,
    r.is_vip,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as changed_load_id
from raw.crm_customers as r
inner join audit.file_load as fl on r.load_id = fl.load_id
left join core.dim_country as c on r.country_code = c.country_code
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.customer_id_nat asc, r.updated_at asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc;

create or replace temporary view tmp_incoming_oms_orders as
select distinct on (r.order_id)
    r.order_id,
    r.customer_id_nat,
    r.store_id,
    r.channel,
    r.order_type,
    r.order_ts,
    r.final_status,
    r.order_flag,
    r.currency_code,
    r.net_amount,
    r.vat_amount,
    r.updated_at,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as first_load_id,
    r.load_id as changed_load_id
from raw.oms_orders as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.order_id asc, r.updated_at desc, fl.ingestion_date desc, r.load_id desc, r.source_line desc;

create or replace temporary view tmp_incoming_oms_order_items as
select distinct on (r.order_id, r.line_no)
    r.order_id,
    r.line_no,
    r.sku,
    r.category,
    r.quantity,
    r.unit_price,
    r.discount_amount,
    r.net_amount,
    r.cost_amount,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as changed_load_id
from raw.oms_order_items as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.order_id asc, r.line_no asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc;

create or replace temporary view tmp_incoming_mkt_campaigns as
select distinct on (r.campaign_id)
    r.campaign_id,
    r.campaign_code,
    r.campaign_name,
    r.campaign_type,
    r.campaign_channel,
    r.start_date,
    r.end_date,
    r.budget_aed,
    r.status,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as changed_load_id
from raw.mkt_campaigns as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.campaign_id asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc;

create or replace temporary view tmp_incoming_mkt_spend as
select distinct on (r.spend_date, r.acquisition_channel, r.campaign_id)
    r.spend_date,
    r.acquisition_channel,
    r.campaign_id,
    r.spend_aed,
    r.impressions,
    r.clicks,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as changed_load_id
from raw.mkt_spend as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by
    r.spend_date asc, r.acquisition_channel asc, r.campaign_id asc,
    fl.ingestion_date desc, r.load_id desc, r.source_line desc;

create or replace temporary view tmp_incoming_mkt_touchpoints as
select distinct on (r.touch_id)
    r.touch_id,
    r.customer_id_nat,
    r.lead_id,
    r.touch_ts,
    r.acquisition_channel,
    r.campaign_id,
    r.touch_type,
    fl.ingestion_date,
    r.load_id,
    r.source_line,
    r.load_id as changed_load_id
from raw.mkt_touchpoints as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.touch_id asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc;
