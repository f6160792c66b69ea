drop table if exists core.customer_frozen_history;
