-- The local cluster's administrator, created by scripts/setup.sh as the cluster's superuser:
--   psql -v ON_ERROR_STOP=1 -v role=… -v password=… -v database=… -f scripts/local/admin.sql
-- Idempotent, and the same on every PostgreSQL Debian ships (15 on Debian 12, 17 on Debian 13):
-- scripts/local/test/admin-steps.test.ts runs it against both. The role owns the database and
-- creates databases (the tests' scratch ones, the bench's); it is no superuser and may not create
-- roles: each service's role is created by the superuser (scripts/local/credentials.ts).
SET client_min_messages = warning;

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
-- On every run, the password too: an earlier set-up's well-known one (`orderly`) is replaced.
-- NOCREATEROLE: up to PostgreSQL 15 a CREATEROLE role may grant itself any role but a superuser,
-- pg_execute_server_program (COPY … FROM PROGRAM: any command as the OS user postgres) included.
ALTER ROLE :"role" LOGIN CREATEDB NOCREATEROLE NOSUPERUSER NOREPLICATION NOBYPASSRLS PASSWORD :'password';
-- What an earlier CREATEROLE administrator (or whoever had its well-known password) may have
-- granted it: every predefined role but the one below.
SELECT format('REVOKE %I FROM %I GRANTED BY %I CASCADE', r.rolname, :'role', g.rolname)
  FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles g ON g.oid = m.grantor
 WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = :'role')
   AND r.rolname LIKE 'pg\_%' AND r.rolname <> 'pg_read_all_stats' \gexec

-- Each service runs as its own role: without pg_read_all_stats the bench sees their statements
-- only as "<insufficient privilege>".
GRANT pg_read_all_stats TO :"role";

SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec

\connect :"database"
SET client_min_messages = warning;
-- pg_stat_statements: `npm run bench` shows where PostgreSQL's time goes. Created even when the
-- running server lacks the preload (started before it was added): the view then errors until a
-- restart, which the bench reports instead of failing.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
-- The bench resets the statistics of the database it measures, which only a superuser may by
-- default. The function's arguments differ by version — (oid, oid, bigint) up to 16, a fourth
-- (minmax_only boolean) since 17 — so the grant names whichever the installed extension has.
SELECT format('GRANT EXECUTE ON FUNCTION %s TO %I', p.oid::regprocedure, :'role')
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_stat_statements'
 WHERE p.proname = 'pg_stat_statements_reset' \gexec
