"""The demo's base: vendor staff, a large multinational rolling out to three countries, a small
client, and one account for every role. Other apps add their part with `register_demo`."""

from datetime import date

from django.contrib.auth import get_user_model

from . import services
from .models import Client, DeploymentModel, Project, ProjectStatus, Site
from .roles import Role

User = get_user_model()

DEMO_PASSWORD = "liaison-demo-2026"  # noqa: S105 (printed for the demo; never a real account)

PEOPLE = [
    # e-mail, first name, last name, is_staff, may create projects
    ("staff@liaison.example", "Victor", "Lindqvist", True, True),
    ("pm@liaison.example", "Priya", "Raman", False, True),
    ("team@liaison.example", "Tomás", "Oliveira", False, False),
    ("spoc@northwind.example", "Sabine", "Keller", False, False),
    ("stakeholder@northwind.example", "Marc", "Dubois", False, False),
    ("tester@northwind.example", "Ana", "Costa", False, False),
    ("observer@northwind.example", "Helen", "Park", False, False),
    ("spoc@brightwater.example", "Olivia", "Grant", False, False),
    ("juergen@northwind.example", "Jürgen", "Bauer", False, False),
]

CLIENTS = [
    {
        "name": "Northwind Pharma",
        "headcount": 14200,
        "countries": "Germany, France, Brazil",
        "industry": "Pharmaceuticals",
    },
    {
        "name": "Brightwater Dental Group",
        "headcount": 180,
        "countries": "Ireland",
        "industry": "Healthcare clinics",
    },
]

PROJECTS = [
    {
        "client": "Northwind Pharma",
        "key": "NWP",
        "name": "Northwind Global Learning Platform",
        "lms_product": "Moodle Workplace",
        "deployment_model": DeploymentModel.MANAGED,
        "start_date": date(2026, 9, 1),
        "target_go_live": date(2027, 3, 1),
        "hosting_term_end": date(2027, 2, 28),
        "programme_end": date(2030, 12, 31),
        "currency": "EUR",
        "status": ProjectStatus.ACTIVE,
        "sites": [
            ("Germany", date(2027, 3, 1)),
            ("France", date(2027, 4, 5)),
            ("Brazil", date(2027, 5, 3)),
        ],
        "members": [
            ("pm@liaison.example", Role.PROJECT_MANAGER),
            ("team@liaison.example", Role.TEAM_MEMBER),
            # The point of contact is named by a handover, in the stakeholders' part of the demo.
            ("spoc@northwind.example", Role.STAKEHOLDER),
            ("juergen@northwind.example", Role.STAKEHOLDER),
            ("stakeholder@northwind.example", Role.STAKEHOLDER),
            ("tester@northwind.example", Role.TESTER),
            ("observer@northwind.example", Role.OBSERVER),
        ],
    },
    {
        "client": "Brightwater Dental Group",
        "key": "BDG",
        "name": "Brightwater Clinical Academy",
        "lms_product": "TalentLMS",
        "deployment_model": DeploymentModel.SAAS,
        "start_date": date(2026, 10, 12),
        "target_go_live": date(2027, 1, 18),
        "hosting_term_end": date(2029, 10, 11),
        "programme_end": date(2029, 10, 11),
        "currency": "EUR",
        "status": ProjectStatus.SETUP,
        "sites": [("Ireland", date(2027, 1, 18))],
        "members": [
            ("pm@liaison.example", Role.PROJECT_MANAGER),
            ("spoc@brightwater.example", Role.STAKEHOLDER),
        ],
    },
]


_loaders = []


def register_demo(loader, *, order: int) -> None:
    """`loader(people)` adds an app's part of the demo; `people` maps e-mail to user."""
    _loaders.append((order, loader))


def load() -> None:
    people = {email: _person(email, *rest) for email, *rest in PEOPLE}
    staff = people["staff@liaison.example"]
    for fields in CLIENTS:
        if not Client.objects.filter(name=fields["name"]).exists():
            services.client_save(client=Client(**fields), by=staff)
    for spec in PROJECTS:
        _project(dict(spec), people)
    for _order, loader in sorted(_loaders, key=lambda item: item[0]):
        loader(people)


def _person(email, first_name, last_name, is_staff, may_create_projects):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name, is_staff=is_staff)
        user.set_password(DEMO_PASSWORD)
        user.save()
        if may_create_projects:
            services.user_save(user=user, may_create_projects=True, by=user)
    return user


def _project(spec, people):
    if Project.objects.filter(key=spec["key"]).exists():
        return
    sites = spec.pop("sites")
    members = spec.pop("members")
    spec["client"] = Client.objects.get(name=spec["client"])
    manager = people[members[0][0]]
    project = services.project_create(project=Project(**spec), by=manager)
    for name, local_go_live in sites:
        services.site_save(
            site=Site(project=project, name=name, local_go_live=local_go_live), by=manager
        )
    for email, role in members[1:]:
        services.membership_grant(project=project, user=people[email], role=role, by=manager)
