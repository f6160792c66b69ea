-- Layers are schemas (DESIGN §3): raw → stg → core → mart, plus audit for loads, rejects and controls.
create schema if not exists raw;
create schema if not exists stg;
create schema if not exists core;
create schema if not exists mart;
create schema if not exists audit;

-- Deterministic 64-bit surrogate key from text: the same natural key always gets the same key,
-- so rebuilding a dimension or re-running a date reproduces identical rows.
create or replace function core.hash64(key_text text)
returns bigint
language sql
immutable
strict
parallel safe
as $$ select ('x' || substr(md5(key_text), 1, 16))::bit(64)::bigint $$;
