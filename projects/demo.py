"""The demo's base: vendor staff, a large multinational rolling out to three countries, a small
client, and one account for every role. Other apps add their part with `register_demo`."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from . import services
from .models import (
    Client,
    ContentRelease,
    DeploymentModel,
    Milestone,
    Project,
    ProjectStatus,
    RaidItem,
    Site,
)
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
    ("lukas@northwind.example", "Lukas", "Meyer", False, False),
    ("camille@northwind.example", "Camille", "Laurent", False, False),
    ("rafael@northwind.example", "Rafael", "Souza", False, False),
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

# fmt: off
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
            ("Germany", date(2027, 3, 1), "German, English", "Jürgen Bauer", 10, "38000.00"),
            ("France", date(2027, 4, 5), "French", "Marc Dubois", 14, "26000.00"),
            ("Brazil", date(2027, 5, 3), "Portuguese", "Rafael Souza", 21, "15000.00"),
        ],
        # site, content, ready, quality check passed, available (France and Brazil run late)
        "releases": [
            ("Germany", "Product range A: certification module", date(2026, 10, 5), date(2026, 10, 9), date(2026, 10, 13)),
            ("Germany", "Onboarding path", date(2026, 10, 19), date(2026, 10, 26), date(2026, 10, 31)),
            ("Germany", "GxP SOP refresher", date(2026, 11, 2), date(2026, 11, 6), date(2026, 11, 11)),
            ("France", "Parcours d'intégration", date(2026, 10, 5), date(2026, 10, 14), date(2026, 10, 20)),
            ("France", "Gamme A: certification", date(2026, 10, 12), date(2026, 10, 28), date(2026, 11, 3)),
            ("France", "Rappel SOP BPF", date(2026, 10, 26), date(2026, 11, 9), date(2026, 11, 14)),
            ("Brazil", "Linha A: certificação", date(2026, 10, 1), date(2026, 10, 22), date(2026, 10, 31)),
            ("Brazil", "Integração de novos colaboradores", date(2026, 11, 2), None, None),
        ],
        # kind, title, impact, likelihood, due or check by, status, mitigation
        "raid": [
            ("assumption", "Learners' PCs in Brazilian branches play video with sound", "high", "", date(2026, 11, 10), "open", "Ask branch IT for a sample of machines; test the player."),
            ("assumption", "Hosting covers the whole programme, to 2030", "high", "", date(2026, 12, 1), "open", "The managed-hosting contract ends in February 2027: extension to be signed."),
            ("assumption", "Learning is mostly self-paced; few live classes", "medium", "", date(2026, 10, 15), "validated", "Confirmed with the L&D heads of all three countries."),
            ("risk", "Client's instructional designer not hired yet", "high", "high", date(2026, 12, 15), "open", "Offer two vendor designers for the first modules."),
            ("risk", "Works council delays the German learner-data fields", "high", "medium", date(2027, 1, 15), "in_hand", "Jürgen presents the data list at the December meeting."),
            ("issue", "HRIS test environment unavailable", "medium", "", date(2026, 12, 1), "open", "Client IT to restore the sandbox; mock file meanwhile."),
            ("dependency", "Entra ID tenant configured by client IT", "high", "", date(2026, 12, 1), "in_hand", ""),
        ],
        # name, site, planned, forecast, done on, go-live, budget share (%)
        "milestones": [
            ("Kick-off workshop", None, date(2026, 9, 7), date(2026, 9, 7), date(2026, 9, 7), False, "5"),
            ("Requirements baselined", None, date(2026, 10, 20), date(2026, 10, 20), date(2026, 10, 22), False, "10"),
            ("Hosting contract extension signed", None, date(2026, 11, 15), date(2026, 11, 15), None, False, None),
            ("Platform configured and tested", None, date(2026, 12, 4), date(2026, 12, 18), None, False, "20"),
            ("HRIS integration live", None, date(2026, 12, 15), date(2027, 1, 12), None, False, "15"),
            ("User acceptance test, round 1", "Germany", date(2027, 1, 11), date(2027, 1, 18), None, False, "10"),
            ("Go-live Germany", "Germany", date(2027, 3, 1), date(2027, 3, 1), None, True, "15"),
            ("Onboarding path in French", "France", date(2027, 2, 15), date(2027, 3, 8), None, False, "5"),
            ("Go-live France", "France", date(2027, 4, 5), date(2027, 4, 12), None, True, "10"),
            ("Go-live Brazil", "Brazil", date(2027, 5, 3), date(2027, 5, 3), None, True, "10"),
        ],
        "members": [
            ("pm@liaison.example", Role.PROJECT_MANAGER),
            ("team@liaison.example", Role.TEAM_MEMBER),
            # The point of contact is named by a handover, in the stakeholders' part of the demo.
            ("spoc@northwind.example", Role.STAKEHOLDER),
            ("juergen@northwind.example", Role.STAKEHOLDER),
            ("stakeholder@northwind.example", Role.STAKEHOLDER),
            ("tester@northwind.example", Role.TESTER),
            ("lukas@northwind.example", Role.TESTER),
            ("camille@northwind.example", Role.TESTER),
            ("rafael@northwind.example", Role.TESTER),
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
        "sites": [("Ireland", date(2027, 1, 18), "English", "Olivia Grant", 7, "9000.00")],
        "releases": [],
        "raid": [],
        "milestones": [
            ("Go-live Ireland", "Ireland", date(2027, 1, 18), date(2027, 1, 18), None, True, "60"),
        ],
        "members": [
            ("pm@liaison.example", Role.PROJECT_MANAGER),
            ("spoc@brightwater.example", Role.STAKEHOLDER),
        ],
    },
]
# fmt: on


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
    milestones = spec.pop("milestones")
    releases = spec.pop("releases")
    raid = spec.pop("raid")
    members = spec.pop("members")
    spec["client"] = Client.objects.get(name=spec["client"])
    manager = people[members[0][0]]
    project = services.project_create(project=Project(**spec), by=manager)
    by_name = {}
    for name, local_go_live, languages, owner, qc_days, alternative in sites:
        site = Site(
            project=project,
            name=name,
            local_go_live=local_go_live,
            languages=languages,
            local_owner=owner,
            content_qc_target_days=qc_days,
            local_alternative_cost=Decimal(alternative),
        )
        by_name[name] = services.site_save(site=site, by=manager)
    for name, site, planned, forecast, done, go_live, share in milestones:
        services.milestone_save(
            milestone=Milestone(
                project=project,
                site=by_name.get(site),
                name=name,
                planned_date=planned,
                forecast_date=forecast,
                actual_date=done,
                is_go_live=go_live,
                owner=manager,
                budget_share=Decimal(share) if share else None,
            ),
            by=manager,
        )
    for site, title, ready, checked, available in releases:
        services.release_save(
            release=ContentRelease(
                project=project,
                site=by_name[site],
                title=title,
                ready_on=ready,
                qc_passed_on=checked,
                available_on=available,
            ),
            by=manager,
        )
    for kind, title, impact, likelihood, due, status, mitigation in raid:
        services.raid_save(
            item=RaidItem(
                project=project,
                kind=kind,
                title=title,
                impact=impact,
                likelihood=likelihood,
                due_date=due,
                status=status,
                mitigation=mitigation,
                owner=manager,
            ),
            by=manager,
        )
    for email, role in members[1:]:
        services.membership_grant(project=project, user=people[email], role=role, by=manager)
