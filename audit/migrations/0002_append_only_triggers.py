"""The database itself refuses to change or delete an audit event, whatever the client.

SQLite rebuilds a table when a migration alters it in ways ALTER TABLE cannot, and the rebuilt
table has no triggers: a later migration that alters audit_auditevent must run FORWARD again.
TRUNCATE is left alone on PostgreSQL: it is how a test database is emptied between tests, and
no code of ours issues it.
"""

from django.db import migrations

MESSAGE = "audit events are append-only"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER audit_auditevent_no_{action}
    BEFORE {action.upper()} ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
    for action in ("update", "delete")
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_{action}" for action in ("update", "delete")
]

POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END $$""",
    """CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

FORWARD = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
BACKWARD = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
