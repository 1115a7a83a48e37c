import importlib
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from pytest_django.fixtures import validate_django_db

from accounts.two_factor import authenticator, two_factor_required
from config.celery import app as celery_app
from projects import services
from projects.models import Membership
from projects.roles import Role
from tests.projects.factories import ProjectFactory, UserFactory

# The fixed cast: one person per role on `project`, plus vendor staff and an outsider.
PERSONAS = ("pm", "team_member", "spoc", "stakeholder", "tester", "observer", "outsider", "staff")
ROLE_OF = {
    "pm": Role.PROJECT_MANAGER,
    "team_member": Role.TEAM_MEMBER,
    "spoc": Role.SPOC,
    "stakeholder": Role.STAKEHOLDER,
    "tester": Role.TESTER,
    "observer": Role.OBSERVER,
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process unless a test is about the real worker (marked `worker`)."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def verified_device(user):
    """The authenticator a test signs `user` in with: theirs, or a new confirmed one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return authenticator(user) or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True
    )


def authenticator_code(device) -> str:
    """What the person's authenticator app shows now (django_otp.oath.totp), as six digits.

    A code is accepted once: when this device already took the current one (a second sign-in
    within 30 seconds), this is the next step's code, which the one step of tolerance allows.
    """
    device.refresh_from_db()
    now = (int(time.time()) - device.t0) // device.step
    for ahead in (0, 1):
        if now + ahead > device.last_t:
            code = totp(device.bin_key, device.step, device.t0, device.digits, drift=ahead)
            return f"{code:0{device.digits}d}"
    raise AssertionError("This authenticator's codes for now and the next step are used.")


@pytest.fixture(autouse=True)
def _force_login_gives_a_verified_session(request, monkeypatch):
    """`client.force_login(user)` signs in past the second factor too, for whoever must give one
    (vendor staff, project managers, anyone with an authenticator): tests of other pages should
    not each repeat the code step. Tests of that step are marked `unverified`."""
    if request.node.get_closest_marker("unverified"):
        return
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if two_factor_required(user) or authenticator(user) is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture(autouse=True)
def _audit_log_emptied_before_flush(request, _django_db_marker):
    """After a transactional test Django empties SQLite with DELETE, which the audit table's
    trigger refuses: empty that table first with the trigger lifted. PostgreSQL is emptied with
    TRUNCATE, which the trigger does not cover."""
    yield
    marker = request.node.get_closest_marker("django_db")
    # validate_django_db gives (transaction, reset_sequences, databases, ...).
    transactional = (marker is not None and validate_django_db(marker)[0]) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional or connection.vendor != "sqlite":
        return
    audit_events_removed()


def audit_events_removed(**where) -> None:
    """Remove audit events (all, or those matching `where`) with the database's append-only
    trigger lifted for the moment: for tests that empty an instance, never for the app."""
    from audit.models import AuditEvent

    triggers = importlib.import_module("audit.migrations.0002_append_only_triggers")
    sql, params = AuditEvent.objects.filter(**where).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        for statement in triggers.BACKWARD[connection.vendor]:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id IN ({sql})", params)  # noqa: S608
        for statement in triggers.FORWARD[connection.vendor]:
            cursor.execute(statement)


@pytest.fixture
def pm(db):
    """A vendor project manager: may create projects, and manages `project`."""
    user = UserFactory(first_name="Priya", last_name="Manager")
    return services.user_save(user=user, may_create_projects=True, by=user)


@pytest.fixture
def project(pm):
    return ProjectFactory(key="NWP", name="Northwind rollout", manager=pm)


def _member(project, role):
    user = UserFactory()
    if role == Role.SPOC:  # named by a handover, never on the members page
        services.spoc_transfer(project=project, email=user.email, by=project_manager(project))
    else:
        services.membership_grant(
            project=project, user=user, role=role, by=project_manager(project)
        )
    return user


def project_manager(project):
    return Membership.objects.get(project=project, role=Role.PROJECT_MANAGER, is_active=True).user


@pytest.fixture
def team_member(project):
    return _member(project, Role.TEAM_MEMBER)


@pytest.fixture
def spoc(project):
    return _member(project, Role.SPOC)


@pytest.fixture
def stakeholder(project):
    return _member(project, Role.STAKEHOLDER)


@pytest.fixture
def tester(project):
    return _member(project, Role.TESTER)


@pytest.fixture
def observer(project):
    return _member(project, Role.OBSERVER)


@pytest.fixture
def outsider(db):
    """A member of another project only."""
    user = UserFactory()
    ProjectFactory(manager=user)
    return user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def persona(request):
    """The user for a persona name, for tests parametrised over PERSONAS."""

    def get(name):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.fixture
def user_model():
    return get_user_model()
