"""The demo's base: vendor staff, a large multinational rolling out to three countries, a small
client, one account for every role, and the vendor's standard template to start projects from.
Other apps add their part with `register_demo`."""

from base64 import b32decode
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import authenticator, two_factor_required

from . import services
from .models import (
    BudgetLine,
    Client,
    ContentRelease,
    CostEntry,
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
# Vendor staff and project managers must sign in with a second factor: in the demo they all share
# this published authenticator key (README), so anyone trying Liaison can add it to an app, or
# print the current code with `manage.py demo_code`. Never a real account's key.
DEMO_TOTP_KEY = "LIAISONDEMOTWOFACTORKEYFORDEMOS2"  # noqa: S105 (base32, as authenticator apps take it)

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
    {
        # The vendor itself: its saved templates belong to no customer.
        "name": "Liaison (internal)",
        "headcount": 60,
        "countries": "",
        "industry": "LMS implementation",
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
        # Licences paid up front and configuration billed monthly: spend runs well ahead of
        # the time elapsed and of the value earned (CPI far below 0.9). Head office rebills
        # Brazil more a year than a local LMS would cost it.
        "budget": [
            # category, name, site, planned, vendor-internal, costs: (date, description, amount, currency, rate)
            ("licences", "Moodle Workplace licences, year 1", None, "120000", False, [
                (date(2026, 9, 5), "Licence invoice, year 1", "120000.00", "EUR", "1"),
            ]),
            ("implementation", "Configuration and HRIS integration", None, "180000", False, [
                (date(2026, 9, 30), "Configuration sprint 1", "45000.00", "EUR", "1"),
                (date(2026, 10, 31), "Configuration sprint 2 and HRIS mapping", "52000.00", "EUR", "1"),
            ]),
            ("content", "Content migration and localisation", None, "60000", False, [
                (date(2026, 11, 10), "Portuguese localisation, São Paulo studio", "61250.00", "BRL", "0.176400"),
            ]),
            ("hosting", "Managed hosting to February 2027", None, "24000", False, [
                (date(2026, 10, 15), "Hosting set-up and Q4", "6000.00", "EUR", "1"),
            ]),
            ("training", "Train-the-trainer sessions", None, "18000", False, []),
            ("internal_rebilling", "Head-office platform rebilling: Brazil", "Brazil", "22000", False, [
                (date(2026, 11, 15), "Rebilling, Q4", "5500.00", "EUR", "1"),
            ]),
            ("contingency", "Contingency", None, "30000", False, []),
            ("implementation", "Unbilled senior consultant days", None, "40000", True, [
                (date(2026, 11, 20), "Bench cost: HRIS rework", "18000.00", "EUR", "1"),
            ]),
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
            ("Platform configured", None, date(2026, 11, 13), date(2026, 11, 13), date(2026, 11, 13), False, "40"),
            ("Go-live Ireland", "Ireland", date(2027, 1, 18), date(2027, 1, 18), None, True, "60"),
        ],
        # On budget: spend a little below the time elapsed and the value earned.
        "budget": [
            ("licences", "TalentLMS subscription, year 1", None, "12000", False, [
                (date(2026, 10, 20), "Subscription, first quarter", "3000.00", "EUR", "1"),
            ]),
            ("implementation", "Set-up and configuration", None, "18000", False, [
                (date(2026, 10, 31), "Set-up, October", "6300.00", "EUR", "1"),
                (date(2026, 11, 15), "Configuration and single sign-on", "4500.00", "EUR", "1"),
            ]),
            ("training", "Administrator training", None, "4000", False, []),
            ("contingency", "Contingency", None, "2000", False, []),
        ],
        "members": [
            ("pm@liaison.example", Role.PROJECT_MANAGER),
            ("spoc@brightwater.example", Role.STAKEHOLDER),
        ],
    },
    {
        "client": "Liaison (internal)",
        "key": "TPL1",
        "name": "Standard single-country rollout",
        "lms_product": "Moodle Workplace",
        "deployment_model": DeploymentModel.SAAS,
        "start_date": date(2026, 1, 5),
        "target_go_live": date(2026, 6, 1),
        "currency": "EUR",
        "status": ProjectStatus.TEMPLATE,
        "sites": [("Main country", date(2026, 6, 1), "English", "", 10, None)],
        "releases": [],
        "raid": [
            ("assumption", "Learners' computers can play video and sound", "high", "", date(2026, 2, 2), "open", "Test the player on a sample of learners' machines at every site."),
            ("assumption", "Hosting term covers the whole programme", "high", "", date(2026, 1, 30), "open", "Compare the hosting contract's end with the programme end before signing."),
            ("assumption", "An instructional designer is on board before contracts are signed", "medium", "", date(2026, 1, 19), "open", "Name the client's designer at the kick-off; offer a vendor designer if there is none."),
        ],
        "milestones": [
            ("Kick-off workshop", None, date(2026, 1, 12), date(2026, 1, 12), None, False, "5"),
            ("Platform configured", None, date(2026, 3, 2), date(2026, 3, 2), None, False, "25"),
            ("Content migrated", None, date(2026, 4, 6), date(2026, 4, 6), None, False, "20"),
            ("User acceptance test signed off", None, date(2026, 5, 4), date(2026, 5, 4), None, False, "20"),
            ("Go-live", "Main country", date(2026, 6, 1), date(2026, 6, 1), None, True, "20"),
            ("Hypercare ends", None, date(2026, 7, 3), date(2026, 7, 3), None, False, "10"),
        ],
        "budget": [
            ("licences", "LMS licences, year 1", None, "30000", False, []),
            ("implementation", "Configuration and integrations", None, "45000", False, []),
            ("content", "Content migration", None, "15000", False, []),
            ("training", "Administrator and trainer training", None, "6000", False, []),
            ("contingency", "Contingency (10%)", None, "9600", True, []),
        ],
        "members": [("pm@liaison.example", Role.PROJECT_MANAGER)],
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
        _budget(spec, people)
    for _order, loader in sorted(_loaders, key=lambda item: item[0]):
        loader(people)
    for user in people.values():
        _demo_authenticator(user)


def _person(email, first_name, last_name, is_staff, may_create_projects):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name, is_staff=is_staff)
        user.set_password(DEMO_PASSWORD)
        user.save()
        if may_create_projects:
            services.user_save(user=user, may_create_projects=True, by=user)
    return user


def demo_authenticator_key_hex() -> str:
    return b32decode(DEMO_TOTP_KEY).hex()


def _demo_authenticator(user):
    if two_factor_required(user) and authenticator(user) is None:
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=demo_authenticator_key_hex(), confirmed=True
        )


def _project(spec, people):
    if Project.objects.filter(key=spec["key"]).exists():
        return
    sites = spec.pop("sites")
    milestones = spec.pop("milestones")
    releases = spec.pop("releases")
    raid = spec.pop("raid")
    spec.pop("budget")
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
            local_alternative_cost=Decimal(alternative) if alternative else None,
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


def _budget(spec, people):
    """The budget lines and their costs, once: a project that has lines keeps its own."""
    project = Project.objects.get(key=spec["key"])
    if project.budget_lines.exists():
        return
    manager = people[spec["members"][0][0]]
    sites = {site.name: site for site in project.sites.all()}
    for category, name, site, planned, internal, costs in spec["budget"]:
        line = services.budget_line_save(
            line=BudgetLine(
                project=project,
                category=category,
                name=name,
                site=sites.get(site),
                planned_amount=Decimal(planned),
                is_internal=internal,
            ),
            by=manager,
        )
        for day, description, amount, currency, rate in costs:
            services.cost_entry_save(
                entry=CostEntry(
                    project=project,
                    line=line,
                    date=day,
                    description=description,
                    amount=Decimal(amount),
                    currency=currency,
                    rate_to_project=Decimal(rate),
                ),
                by=manager,
            )
