-- Ownership and privileges of this database (the roles are cluster-wide; see 01_roles.sql). Applied after the
-- views, and again by any later revision that adds reader-facing views (default privileges cover new
-- objects' grants, not their owner).

-- analytics_etl reads the warehouse and owns what readers see, so mart and outreach views read raw, stg,
-- core and audit with its privileges, never the reader's.
grant usage on schema raw, stg, core, audit to analytics_etl;
grant select on all tables in schema raw, stg, core, audit to analytics_etl;
alter default privileges in schema raw, stg, core, audit grant select on tables to analytics_etl;
grant usage, create on schema mart, outreach to analytics_etl;

do $$
declare
    obj record;
begin
    for obj in
        select n.nspname, c.relname, c.relkind
        from pg_class as c
        inner join pg_namespace as n on c.relnamespace = n.oid
        where n.nspname in ('mart', 'outreach') and c.relkind in ('r', 'v', 'm')
    loop
        execute format(
            'alter %s %I.%I owner to analytics_etl',
            case obj.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
            obj.nspname, obj.relname
        );
    end loop;
end
$$;

-- bi_reader: schema mart only, today's objects and future ones (made by this migration's user or by
-- analytics_etl).
grant usage on schema mart to bi_reader;
grant select on all tables in schema mart to bi_reader;
alter default privileges in schema mart grant select on tables to bi_reader;
alter default privileges for role analytics_etl in schema mart grant select on tables to bi_reader;

-- crm_outreach: schema outreach only.
grant usage on schema outreach to crm_outreach;
grant select on all tables in schema outreach to crm_outreach;
alter default privileges in schema outreach grant select on tables to crm_outreach;
alter default privileges for role analytics_etl in schema outreach grant select on tables to crm_outreach;
