-- core.dim_interaction_channel: 1 row = 1 channel through which the retailer meets customers (REFERENCE §B),
-- seeded from sql/seed/dim_interaction_channel.csv; codes are those of acquisition_channel and campaign_channel.
create table core.dim_interaction_channel (
    channel_code text primary key,
    channel_name text not null,
    channel_type text not null check (channel_type in ('acquisition', 'sales', 'support', 'marketing')),
    category text not null check (category in ('digital', 'physical', 'phone', 'partner')),
    is_online boolean not null,
    cost_per_interaction numeric(12, 4) not null check (cost_per_interaction >= 0)
);

-- core.dim_campaign: 1 row = 1 marketing campaign (type 1: latest delivery), rebuilt by the acquisition step.
create table core.dim_campaign (
    campaign_sk bigint primary key,
    campaign_id text not null unique,
    campaign_code text not null,
    campaign_name text not null,
    campaign_type text not null,
    campaign_channel text not null,
    start_date date not null,
    end_date date,
    budget_aed numeric(14, 2),
    status text not null
);
