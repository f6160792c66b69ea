-- core.fact_customer_segment: 1 row = 1 customer x snapshot date: the customer's behavioural cluster and
-- segment, behaviour score, LTV score 0-100 with its components, VIP tier and promotion category (REFERENCE
-- §B, §D). One partition per snapshot date, published with the RFM, lifetime-value and churn snapshots in one
-- transaction (analytics.snapshots.publish); segment_key and tier_key point into the two dimensions.
create table core.fact_customer_segment (
    snapshot_date date not null,
    customer_id_nat text not null,
    customer_sk bigint not null,
    cluster_id smallint not null check (cluster_id >= 0),
    segment_key integer not null,
    segment_code text not null,
    segment_name text not null,
    behaviour_score numeric(5, 2) not null check (behaviour_score between 0 and 100),
    rfm_component numeric(5, 2) not null check (rfm_component between 0 and 100),
    value_component numeric(5, 2) not null check (value_component between 0 and 100),
    ltv_score numeric(5, 2) not null check (ltv_score between 0 and 100),
    tier_key integer not null,
    vip_tier text not null,
    promotion_category text not null check (
        promotion_category in ('Eligible for VIP Promotions', 'Eligible for Re-engagement', 'Standard Marketing')
    ),
    model_version text not null,
    primary key (customer_id_nat, snapshot_date)
) partition by range (snapshot_date);
