-- Pseudonymous codes for the customers new to core.dim_customer (set-based; existing codes never change).
select core.assign_customer_pseudonyms();
