-- core.dim_campaign: every staged campaign, type 1 (the latest delivery of each campaign_id).
delete from core.dim_campaign;

insert into core.dim_campaign (
    campaign_sk, campaign_id, campaign_code, campaign_name, campaign_type, campaign_channel, start_date, end_date,
    budget_aed, status
)
with campaigns as (
    select
        campaign_id,
        campaign_code,
        campaign_name,
        campaign_type,
        campaign_channel,
        start_date,
        end_date,
        budget_aed,
        status
    from stg.mkt_campaigns
),

final as (
    select
        core.hash64(campaign_id) as campaign_sk,
        campaign_id,
        campaign_code,
        campaign_name,
        campaign_type,
        campaign_channel,
        start_date,
        end_date,
        budget_aed,
        status
    from campaigns
)

select * from final;
