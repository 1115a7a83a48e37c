import pytest
from django.contrib.auth import get_user_model

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
