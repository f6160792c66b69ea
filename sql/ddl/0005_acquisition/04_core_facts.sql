-- Acquisition facts, rebuilt as of the run date by the acquisition step (analytics.acquisition). Touchpoint
-- dates are business dates in Asia/Riyadh; order dates are store-local (core.fact_order.local_date).

-- core.fact_lead: 1 row = 1 lead (lead_id of mkt_touchpoints), with its funnel steps; the customer is the
-- surviving customer once a touch names one.
create table core.fact_lead (
    lead_id text primary key,
    customer_id_nat text,
    acquisition_channel text not null,
    campaign_id text,
    lead_created_ts timestamptz not null,
    lead_created_date date not null,
    lead_week date not null,
    first_contact_date date,
    conversion_date date,
    first_order_date date,
    is_contacted boolean not null,
    is_converted boolean not null,
    has_ordered boolean not null,
    as_of_date date not null
);

-- core.fact_customer_acquisition: 1 row = 1 surviving, unflagged CRM customer (REFERENCE §B).
create table core.fact_customer_acquisition (
    customer_id_nat text primary key,
    customer_sk bigint not null,
    acquisition_date date,
    acquisition_month date,
    acquisition_channel text not null,
    acquisition_campaign_id text,
    lead_id text,
    first_touch_channel text,
    lead_created_date date,
    first_contact_date date,
    conversion_date date,
    days_to_convert integer,
    touchpoints_count integer not null,
    first_order_date date,
    first_order_value_aed numeric(14, 2),
    first_order_items numeric(14, 3),
    days_to_first_order integer,
    acquisition_cost_aed numeric(14, 2),
    revenue_30_days_aed numeric(16, 2) not null,
    revenue_90_days_aed numeric(16, 2) not null,
    revenue_365_days_aed numeric(16, 2) not null,
    orders_365_days integer not null,
    cac_payback_days integer,
    as_of_date date not null
);
create index fact_customer_acquisition_channel_idx on core.fact_customer_acquisition (
    acquisition_channel,
    acquisition_month
);

-- core.fact_campaign_performance: 1 row = 1 day x 1 campaign with spend, touches or attributed orders. Orders
-- are attributed to the campaign of the customer's last touch before the order within the attribution window.
create table core.fact_campaign_performance (
    performance_date date not null,
    campaign_id text not null,
    campaign_sk bigint,
    audience_size integer not null,
    impressions bigint not null,
    clicks bigint not null,
    click_through_rate numeric(10, 6),
    leads_generated integer not null,
    conversions integer not null,
    conversion_rate numeric(10, 6),
    orders_attributed integer not null,
    revenue_attributed_aed numeric(16, 2) not null,
    spend_aed numeric(16, 2) not null,
    cost_per_impression_aed numeric(14, 6),
    cost_per_click_aed numeric(14, 4),
    cost_per_lead_aed numeric(14, 4),
    cost_per_acquisition_aed numeric(14, 4),
    roi_percentage numeric(14, 2),
    roas numeric(14, 4),
    attribution_window_days smallint not null,
    as_of_date date not null,
    primary key (performance_date, campaign_id)
);
