-- stg: the current version of every marketing record; the latest ingestion wins, then the later load and line.

-- 1 row = 1 campaign.
create table stg.mkt_campaigns (
    campaign_id text primary key,
    campaign_code text not null,
    campaign_name text not null,
    campaign_type text not null,
    campaign_channel text not null,
    start_date date not null,
    end_date date,
    budget_aed numeric(14, 2),
    status text not null,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null
);

-- 1 row = 1 day x 1 acquisition channel x 1 campaign (NULL campaign: channel spend outside campaigns).
create table stg.mkt_spend (
    spend_date date not null,
    acquisition_channel text not null,
    campaign_id text,
    spend_aed numeric(14, 2) not null,
    impressions bigint,
    clicks bigint,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null,
    constraint mkt_spend_key unique nulls not distinct (spend_date, acquisition_channel, campaign_id)
);

-- 1 row = 1 touchpoint.
create table stg.mkt_touchpoints (
    touch_id text primary key,
    customer_id_nat text,
    lead_id text,
    touch_ts timestamptz not null,
    acquisition_channel text not null,
    campaign_id text,
    touch_type text not null,
    ingestion_date date not null,
    load_id bigint not null,
    source_line integer not null,
    changed_load_id bigint not null
);
