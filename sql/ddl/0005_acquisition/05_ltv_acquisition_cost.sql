-- CAC and CLV/CAC in the lifetime-value snapshot (NULL where no acquisition cost is known).
alter table core.fact_customer_ltv
add column acquisition_cost_aed numeric(14, 2),
add column clv_to_cac_ratio numeric(14, 4);
