-- Merge incoming marketing rows (the tmp_incoming_mkt_* views of incoming.sql) into stg.mkt_campaigns,
-- stg.mkt_spend and stg.mkt_touchpoints: the latest ingestion wins, then the later load and file line. A
-- re-delivered identical row changes nothing.
insert into stg.mkt_campaigns as s (
    campaign_id, campaign_code, campaign_name, campaign_type, campaign_channel, start_date, end_date, budget_aed,
    status, ingestion_date, load_id, source_line, changed_load_id
)
select
    campaign_id,
    campaign_code,
    campaign_name,
    campaign_type,
    campaign_channel,
    start_date,
    end_date,
    budget_aed,
    status,
    ingestion_date,
    load_id,
    source_line,
    changed_load_id
from {mkt_campaigns}
on conflict (campaign_id) do update set
    campaign_code = excluded.campaign_code,
    campaign_name = excluded.campaign_name,
    campaign_type = excluded.campaign_type,
    campaign_channel = excluded.campaign_channel,
    start_date = excluded.start_date,
    end_date = excluded.end_date,
    budget_aed = excluded.budget_aed,
    status = excluded.status,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.ingestion_date, excluded.load_id) > (s.ingestion_date, s.load_id)
and (
    excluded.campaign_code, excluded.campaign_name, excluded.campaign_type, excluded.campaign_channel,
    excluded.start_date, excluded.end_date, excluded.budget_aed, excluded.status
) is distinct from (
    s.campaign_code, s.campaign_name, s.campaign_type, s.campaign_channel,
    s.start_date, s.end_date, s.budget_aed, s.status
);

insert into stg.mkt_spend as s (
    spend_date, acquisition_channel, campaign_id, spend_aed, impressions, clicks, ingestion_date, load_id,
    source_line, changed_load_id
)
select
    spend_date,
    acquisition_channel,
    campaign_id,
    spend_aed,
    impressions,
    clicks,
    ingestion_date,
    load_id,
    source_line,
    changed_load_id
from {mkt_spend}
on conflict (spend_date, acquisition_channel, campaign_id) do update set
    spend_aed = excluded.spend_aed,
    impressions = excluded.impressions,
    clicks = excluded.clicks,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.ingestion_date, excluded.load_id) > (s.ingestion_date, s.load_id)
and (excluded.spend_aed, excluded.impressions, excluded.clicks)
is distinct from (s.spend_aed, s.impressions, s.clicks);

insert into stg.mkt_touchpoints as s (
    touch_id, customer_id_nat, lead_id, touch_ts, acquisition_channel, campaign_id, touch_type, ingestion_date,
    load_id, source_line, changed_load_id
)
select
    touch_id,
    customer_id_nat,
    lead_id,
    touch_ts,
    acquisition_channel,
    campaign_id,
    touch_type,
    ingestion_date,
    load_id,
    source_line,
    changed_load_id
from {mkt_touchpoints}
on conflict (touch_id) do update set
    customer_id_nat = excluded.customer_id_nat,
    lead_id = excluded.lead_id,
    touch_ts = excluded.touch_ts,
    acquisition_channel = excluded.acquisition_channel,
    campaign_id = excluded.campaign_id,
    touch_type = excluded.touch_type,
    ingestion_date = excluded.ingestion_date,
    load_id = excluded.load_id,
    source_line = excluded.source_line,
    changed_load_id = excluded.changed_load_id
where
(excluded.ingestion_date, excluded.load_id) > (s.ingestion_date, s.load_id)
and (
    excluded.customer_id_nat, excluded.lead_id, excluded.touch_ts, excluded.acquisition_channel,
    excluded.campaign_id, excluded.touch_type
) is distinct from (
    s.customer_id_nat, s.lead_id, s.touch_ts, s.acquisition_channel, s.campaign_id, s.touch_type
);
