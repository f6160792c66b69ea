-- core.customer_pseudonym: 1 row = 1 customer id and its pseudonymous code ('CU-' and 12 random hex digits,
-- e.g. 'CU-7F3A9C2B04DE'), drawn at random once and never changed. Marts show customers by
-- this code only (DESIGN §8).
-- Why a key table rather than a keyed hash of the id: a random code reveals nothing about the id even to
-- someone who knows the algorithm, there is no secret to keep, leak or rotate, and it needs nothing beyond
-- core PostgreSQL (gen_random_uuid is built in since 13; pgcrypto's HMAC would be an extension). The price
-- is one join by primary key, and codes are new after a downgrade and upgrade.
create table core.customer_pseudonym (
    customer_id_nat text primary key,
    customer_code text not null,
    assigned_at timestamptz not null default now(),
    constraint customer_pseudonym_code_uq unique (customer_code)
);

-- 48 random bits as 12 upper-case hex digits: the first 12 of a version-4 UUID (strong randomness, built in
-- since PostgreSQL 13; its version digit is the 13th). A plain expression: about 5 s per million codes, where
-- spelling the bits in base32 took four times as long.
create or replace function core.random_customer_code()
returns text
language sql
volatile
parallel safe
as $$ select 'CU-' || upper(left(replace(gen_random_uuid()::text, '-', ''), 12)) $$;

-- Gives every customer of core.dim_customer without a code one, set-based; a code already taken (a collision
-- of 48 random bits) is skipped and drawn again. Returns the codes added. Called by the core build.
create or replace function core.assign_customer_pseudonyms()
returns bigint
language plpgsql
as $$
declare
    missing bigint;
    added bigint := 0;
    inserted bigint;
begin
    drop table if exists pg_temp.tmp_customer_without_code;
    create temporary table tmp_customer_without_code on commit drop as
    select distinct d.customer_id_nat
    from core.dim_customer as d
    where not exists (select 1 from core.customer_pseudonym as p where p.customer_id_nat = d.customer_id_nat);
    get diagnostics missing = row_count;
    while added < missing loop
        insert into core.customer_pseudonym (customer_id_nat, customer_code)
        select t.customer_id_nat, core.random_customer_code()
        from tmp_customer_without_code as t
        where not exists (select 1 from core.customer_pseudonym as p where p.customer_id_nat = t.customer_id_nat)
        on conflict do nothing;
        get diagnostics inserted = row_count;
        added := added + inserted;
    end loop;
    return added;
end
$$;

select core.assign_customer_pseudonyms();

-- Masked contact details for views that must not show them whole: 'jane.doe@example.com' -> 'j***@example.com',
-- '+971501234567' -> '*********4567'. An e-mail without a local part and '@' masks to '***', a phone
-- of four characters or fewer to stars only.
create or replace function core.mask_email(email text)
returns text
language sql
immutable
strict
parallel safe
as $$
    select case
        when position('@' in email) > 1 then left(email, 1) || '***' || substr(email, position('@' in email))
        else '***'
    end
$$;

create or replace function core.mask_phone(phone text)
returns text
language sql
immutable
strict
parallel safe
as $$
    select case
        when length(phone) > 4 then repeat('*', length(phone) - 4) || right(phone, 4)
        else repeat('*', length(phone))
    end
$$;
