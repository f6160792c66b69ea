-- The one-big-table views of 0004 showed customer_id_nat; their new versions show the pseudonymous code
-- (a changed column needs a drop), and the overall summary becomes a materialized view.
drop view mart.obt_overall_customer_kpis;
drop view mart.obt_customer_kpis_and_segmentation;
