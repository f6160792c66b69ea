-- audit.model_run: 1 row = 1 model fitted or evaluated by a scoring run (BG/NBD, Gamma-Gamma, churn model,
-- churn rules, RFM), with its parameters, fit diagnostics and backtest metrics.
create table audit.model_run (
    model_run_id bigint generated always as identity primary key,
    run_id text not null,
    snapshot_date date not null,
    model_name text not null,
    model_version text,
    time_unit text,
    sample_size bigint,
    compressed_size bigint,
    converged boolean,
    log_likelihood double precision,
    params jsonb not null default '{}',
    metrics jsonb not null default '{}',
    seconds numeric(10, 3),
    created_at timestamptz not null default now()
);

create index model_run_model_date_idx on audit.model_run (model_name, snapshot_date);

-- core.dim_customer_segment: 1 row = 1 segment of a segment type, with the rule that assigns it. For RFM the
-- rules are tried in priority order on the (R, F, M) scores and the first match wins (seeded from
-- sql/seed/dim_customer_segment.csv; users may edit or extend it, the scorer refuses unreachable rules).
create table core.dim_customer_segment (
    segment_key integer primary key,
    segment_type text not null default 'rfm',
    segment_code text not null,
    segment_name text not null,
    priority integer not null,
    r_min smallint,
    r_max smallint,
    f_min smallint,
    f_max smallint,
    m_min smallint,
    m_max smallint,
    description text,
    recommended_action text,
    constraint dim_customer_segment_code_uq unique (segment_type, segment_code),
    constraint dim_customer_segment_priority_uq unique (segment_type, priority),
    constraint dim_customer_segment_ranges_chk check (
        segment_type <> 'rfm' or (
            r_min between 1 and 5 and r_max between r_min and 5
            and f_min between 1 and 5 and f_max between f_min and 5
            and m_min between 1 and 5 and m_max between m_min and 5
        )
    )
);

-- core.dim_customer_tier: 1 row = 1 value tier of a tier type; a customer takes the first tier (by rank)
-- whose min_percentile its value percentile reaches.
create table core.dim_customer_tier (
    tier_key integer primary key,
    tier_type text not null default 'clv_value',
    tier_code text not null,
    tier_name text not null,
    tier_rank smallint not null,
    min_percentile numeric(5, 2) not null check (min_percentile between 0 and 100),
    description text,
    constraint dim_customer_tier_code_uq unique (tier_type, tier_code),
    constraint dim_customer_tier_rank_uq unique (tier_type, tier_rank)
);

insert into core.dim_customer_tier (tier_key, tier_type, tier_code, tier_name, tier_rank, min_percentile, description)
values
(1, 'clv_value', 'Platinum', 'Platinum', 1, 95, 'Top 5% by predicted lifetime value'),
(2, 'clv_value', 'Gold', 'Gold', 2, 80, 'Next 15% by predicted lifetime value'),
(3, 'clv_value', 'Silver', 'Silver', 3, 50, 'Upper-middle 30% by predicted lifetime value'),
(4, 'clv_value', 'Bronze', 'Bronze', 4, 0, 'Lower half by predicted lifetime value');
