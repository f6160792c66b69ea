-- raw: typed copies of the marketing extracts (DESIGN §2), 1 row = 1 accepted line of 1 loaded file.
create table raw.mkt_campaigns (
    load_id bigint not null,
    source_line integer not null,
    campaign_id text not null,
    campaign_code text not null,
    campaign_name text not null,
    campaign_type text not null,
    campaign_channel text not null,
    start_date date not null,
    end_date date,
    budget_aed numeric(14, 2),
    status text not null
);
create index raw_mkt_campaigns_load_idx on raw.mkt_campaigns using brin (load_id);

create table raw.mkt_spend (
    load_id bigint not null,
    source_line integer not null,
    spend_date date not null,
    acquisition_channel text not null,
    campaign_id text,
    spend_aed numeric(14, 2) not null,
    impressions bigint,
    clicks bigint
);
create index raw_mkt_spend_load_idx on raw.mkt_spend using brin (load_id);

create table raw.mkt_touchpoints (
    load_id bigint not null,
    source_line integer not null,
    touch_id text not null,
    customer_id_nat text,
    lead_id text,
    touch_ts timestamptz not null,
    acquisition_channel text not null,
    campaign_id text,
    touch_type text not null
);
create index raw_mkt_touchpoints_load_idx on raw.mkt_touchpoints using brin (load_id);
