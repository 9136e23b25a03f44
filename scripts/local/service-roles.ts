/**
 * The SQL that creates (or updates) each service's login role with its password — no CREATEDB,
 * no CREATEROLE, no inheritance: it logs in and owns its schema, nothing more — and lets the
 * administrator act as it (create its schema, hand it its objects). Run by whoever may create
 * roles (roleAdministrator: the local clusters' superuser, or your own server's administrator),
 * never by the local administrator itself, which may not (admin.sql). One DO block: idempotent,
 * the same on PostgreSQL 15 and 17.
 */
export interface ServiceRole {
  role: string;
  password: string;
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function serviceRolesSql(roles: ServiceRole[], administrator: string): string {
  if (roles.length === 0) return '';
  const rows = roles.map((r) => `(${literal(r.role)}, ${literal(r.password)})`).join(',\n      ');
  // pg_has_role() knows SET from PostgreSQL 16 on; before, MEMBER meant "may SET ROLE". Since 16
  // a CREATEROLE creator is a member with ADMIN only (createrole_self_grant is empty): not SET.
  return `SET client_min_messages = warning;
DO $roles$
DECLARE
  r record;
  administrator text := ${literal(administrator)};
  may_set text := CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END;
BEGIN
  FOR r IN SELECT * FROM (VALUES
      ${rows}) AS v(role, password) LOOP
    EXECUTE format('%s ROLE %I LOGIN NOINHERIT NOCREATEDB NOCREATEROLE PASSWORD %L',
                   CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.role) THEN 'ALTER' ELSE 'CREATE' END, r.role, r.password);
    IF NOT pg_has_role(administrator, r.role, may_set) THEN
      EXECUTE format('GRANT %I TO %I', r.role, administrator);
    END IF;
  END LOOP;
END
$roles$;
`;
}
