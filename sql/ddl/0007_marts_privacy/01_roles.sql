-- Cluster-wide roles of DESIGN §8 (NOLOGIN: people and tools log in as their own users, made members):
--   analytics_etl  owns the reader-facing views (mart, outreach), so they read core on behalf of readers;
--   bi_reader      reads schema mart only (pseudonymised: customer codes, masked contact);
--   crm_outreach   reads schema outreach only (contact lists with names, e-mails and phones).
-- Roles belong to the whole server and several databases may migrate at once: a role is created only when
-- missing, and a concurrent creation elsewhere (duplicate_object, or unique_violation while both are in
-- flight) counts as success.
do $$
declare
    role_name text;
begin
    foreach role_name in array array['analytics_etl', 'bi_reader', 'crm_outreach'] loop
        if not exists (select 1 from pg_roles where rolname = role_name) then
            begin
                execute format('create role %I nologin', role_name);
            exception when duplicate_object or unique_violation then
                null;
            end;
        end if;
    end loop;
end
$$;
