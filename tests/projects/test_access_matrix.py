"""Every URL of the foundation × every persona: allowed, refused (403), or hidden (404)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEvent, Kind
from projects import services
from projects.models import (
    BudgetLine,
    ContentRelease,
    CostEntry,
    Milestone,
    RaidItem,
    Report,
    ReportSchedule,
    ReportState,
)
from projects.roles import Role
from projects.uploads import UploadedFile
from requirements import services as requirement_services
from requirements.models import ChangeRequest, Goal, ImportJob, Requirement, Screenshot
from stakeholders import services as stakeholder_services
from stakeholders.models import Attachment, Stakeholder
from tests.projects.factories import ClientFactory, SiteFactory
from tests.requirements.uat import PNG, log, open_round

MEMBERS = ("pm", "team_member", "spoc", "stakeholder", "tester", "observer")
EVERYONE = (*MEMBERS, "staff", "outsider")


def expect(allowed, *, ok=200, refused=403, hidden=404, others=EVERYONE):
    """Expected status per persona: `allowed` get `ok`, other members `refused`, the outsider
    `hidden` for project pages; anonymous visitors are sent to sign in."""
    table = {name: (ok if name in allowed else refused) for name in others}
    table["outsider"] = ok if "outsider" in allowed else hidden
    table["anonymous"] = 302
    return table


PROJECT_VIEWERS = (*MEMBERS, "staff")
MANAGERS = ("pm", "staff")
CHANNEL_READERS = ("pm", "team_member", "spoc", "stakeholder", "staff")
SUBMITTERS = ("pm", "spoc", "stakeholder", "staff")
# A requirement the project manager submitted: a client stakeholder follows only their own.
ALL_REQUIREMENTS = ("pm", "team_member", "spoc", "staff")
NOT_THEIRS = {"stakeholder": 404}
BUDGET_VIEWERS = ("pm", "team_member", "spoc", "staff")
# A vendor-internal budget row does not exist for a client role, rather than being refused.
NOT_FOR_THE_CLIENT = {"spoc": 404}
# Those who test (the tester, invited to the round) or triage and manage the testing.
TESTING = ("pm", "team_member", "tester", "staff")
TESTERS = ("tester",)
REPORT_READERS = ("pm", "team_member", "spoc", "observer", "staff")
VENDOR_REPORT_READERS = ("pm", "team_member", "staff")
# A vendor report does not exist for the client roles that read client reports.
NOT_FOR_CLIENT_READERS = {"spoc": 404, "observer": 404}

# Vendor staff and those who manage a project (the outsider manages one of their own).
TWO_FACTOR_REQUIRED = ("pm", "staff", "outsider")

# (url name, method, arguments, expected status per persona)
MATRIX = [
    ("projects:home", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:members", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:plan", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:findings", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:run_checks", "post", "project", expect(MANAGERS, ok=302)),
    # The outsider manages a project of their own: the portfolio shows them that one.
    ("projects:portfolio", "get", None, expect(("pm", "team_member", "staff", "outsider"))),
    ("projects:calendar_link", "post", "project", {**expect(MEMBERS, ok=302), "staff": 404}),
    ("projects:raid", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:raid_add", "get", "project", expect(MANAGERS)),
    ("projects:raid_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:raid_edit", "get", "raid", expect(MANAGERS)),
    ("projects:budget", "get", "project", expect(BUDGET_VIEWERS)),
    ("projects:raid_export", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:milestone_export", "get", "project", expect(PROJECT_VIEWERS)),
    ("projects:cost_export", "get", "project", expect(BUDGET_VIEWERS)),
    ("projects:reports", "get", "project", expect(REPORT_READERS)),
    ("projects:report_generate", "post", "project", expect(REPORT_READERS, ok=302)),
    ("projects:report", "get", "report", expect(REPORT_READERS, ok=302)),
    ("projects:report_download", "get", "report", expect(REPORT_READERS)),
    (
        "projects:report_download",
        "get",
        "vendor_report",
        {**expect(VENDOR_REPORT_READERS), **NOT_FOR_CLIENT_READERS},
    ),
    ("projects:report_schedules", "get", "project", expect(MANAGERS)),
    ("projects:report_schedules", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:report_schedule_stop", "post", "schedule", expect(MANAGERS, ok=302)),
    ("projects:budget_line_add", "get", "project", expect(MANAGERS)),
    ("projects:budget_line_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:budget_line_edit", "get", "budget_line", expect(MANAGERS)),
    (
        "projects:budget_line_edit",
        "get",
        "internal_line",
        {**expect(MANAGERS), **NOT_FOR_THE_CLIENT},
    ),
    ("projects:budget_line_archive", "post", "budget_line", expect(MANAGERS, ok=302)),
    (
        "projects:budget_line_archive",
        "post",
        "internal_line",
        {**expect(MANAGERS, ok=302), **NOT_FOR_THE_CLIENT},
    ),
    ("projects:cost_entry_add", "get", "project", expect(MANAGERS)),
    ("projects:cost_entry_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:cost_entry_edit", "get", "cost_entry", expect(MANAGERS)),
    (
        "projects:cost_entry_edit",
        "get",
        "internal_cost",
        {**expect(MANAGERS), **NOT_FOR_THE_CLIENT},
    ),
    ("projects:cost_entry_archive", "post", "cost_entry", expect(MANAGERS, ok=302)),
    ("projects:release_add", "get", "project", expect(MANAGERS)),
    ("projects:release_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:release_edit", "get", "release", expect(MANAGERS)),
    # The secret link is the key: whoever holds it reads the feed, signed in or not.
    ("projects:calendar_feed", "get", "calendar", dict.fromkeys((*EVERYONE, "anonymous"), 200)),
    ("projects:milestone_add", "get", "project", expect(MANAGERS)),
    ("projects:milestone_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:milestone_edit", "get", "milestone", expect(MANAGERS)),
    ("projects:milestone_archive", "post", "milestone", expect(MANAGERS, ok=302)),
    ("projects:edit", "get", "project", expect(MANAGERS)),
    ("projects:edit", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:history", "get", "project", expect(MANAGERS)),
    ("projects:archive", "get", "project", expect(MANAGERS)),
    ("projects:save_template", "get", "project", expect(MANAGERS)),
    ("projects:save_template", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:site_add", "get", "project", expect(MANAGERS)),
    ("projects:site_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:site_edit", "get", "site", expect(MANAGERS)),
    ("projects:site_archive", "post", "site", expect(MANAGERS, ok=302)),
    ("projects:member_add", "get", "project", expect(MANAGERS)),
    ("projects:member_add", "post", "project", expect(MANAGERS, ok=302)),
    ("projects:member_role", "post", "membership", expect(MANAGERS, ok=302)),
    ("projects:member_remove", "post", "membership", expect(MANAGERS, ok=302)),
    ("projects:list", "get", None, expect(EVERYONE)),
    # Asked for as a page rather than by htmx, the switcher's menu leads to the project list.
    ("projects:switcher", "get", None, expect(EVERYONE, ok=302)),
    ("projects:create", "get", None, expect(MANAGERS, hidden=403)),
    ("projects:import", "get", None, expect(("staff",), hidden=403)),
    # An empty form: the import is refused next to the file field, nothing happens.
    ("projects:import", "post", None, expect(("staff",), hidden=403)),
    ("projects:client_list", "get", None, expect(("staff",), hidden=403)),
    ("projects:client_create", "get", None, expect(("staff",), hidden=403)),
    ("projects:client_edit", "get", "client", expect(("staff",), hidden=403)),
    ("projects:client_archive", "post", "client", expect(("staff",), ok=302, hidden=403)),
    ("projects:user_list", "get", None, expect(("staff",), hidden=403)),
    ("projects:user_create", "get", None, expect(("staff",), hidden=403)),
    ("projects:user_edit", "get", "user", expect(("staff",), hidden=403)),
    ("projects:user_two_factor_reset", "post", "user", expect(("staff",), ok=302, hidden=403)),
    ("projects:member_digest", "post", "project", {**expect(MEMBERS, ok=302), "staff": 404}),
    ("stakeholders:list", "get", "project", expect(PROJECT_VIEWERS)),
    ("stakeholders:add", "get", "project", expect(MANAGERS)),
    ("stakeholders:add", "post", "project", expect(MANAGERS, ok=302)),
    ("stakeholders:import", "get", "project", expect(MANAGERS)),
    ("stakeholders:edit", "get", "stakeholder", expect(MANAGERS)),
    ("stakeholders:active", "post", "stakeholder", expect(MANAGERS, ok=302)),
    ("stakeholders:ownership", "get", "project", expect(PROJECT_VIEWERS)),
    ("stakeholders:ownership_set", "post", "project", expect(MANAGERS, ok=302)),
    ("stakeholders:contact", "get", "project", expect(PROJECT_VIEWERS)),
    ("stakeholders:contact", "post", "project", expect(MANAGERS)),
    ("stakeholders:channel", "get", "project", expect(CHANNEL_READERS)),
    ("stakeholders:post", "get", "project", expect(CHANNEL_READERS)),
    ("stakeholders:post", "post", "project", expect(CHANNEL_READERS, ok=302)),
    ("stakeholders:email", "get", "project", expect(CHANNEL_READERS)),
    ("stakeholders:queue", "get", "project", expect(("spoc",))),
    ("stakeholders:decisions", "get", "project", expect(CHANNEL_READERS)),
    ("stakeholders:entry", "get", "entry", expect(CHANNEL_READERS)),
    ("stakeholders:decide", "post", "entry", expect(("spoc",), ok=302)),
    ("stakeholders:attachment", "get", "attachment", expect(CHANNEL_READERS)),
    ("requirements:list", "get", "project", expect(CHANNEL_READERS)),
    ("requirements:new", "get", "project", expect(SUBMITTERS)),
    ("requirements:new", "post", "project", expect(SUBMITTERS, ok=302)),
    ("requirements:detail", "get", "requirement", {**expect(ALL_REQUIREMENTS), **NOT_THEIRS}),
    (
        "requirements:edit",
        "get",
        "requirement",
        {**expect(MANAGERS + ("team_member",)), **NOT_THEIRS},
    ),
    (
        "requirements:transition",
        "post",
        "requirement",
        {**expect(ALL_REQUIREMENTS, ok=302), **NOT_THEIRS},
    ),
    ("requirements:export", "get", "project", expect(CHANNEL_READERS)),
    ("requirements:bulk", "post", "project", expect(MANAGERS, ok=302)),
    ("requirements:import", "get", "project", expect(MANAGERS)),
    ("requirements:import_job", "get", "import", expect(MANAGERS)),
    ("requirements:import_confirm", "post", "import", expect(MANAGERS, ok=302)),
    ("requirements:change_new", "get", "requirement", expect(ALL_REQUIREMENTS)),
    ("requirements:conflict_new", "get", "requirement", expect(ALL_REQUIREMENTS)),
    ("requirements:baseline", "get", "project", expect(CHANNEL_READERS)),
    ("requirements:baseline", "post", "project", expect(MANAGERS)),
    ("requirements:changes", "get", "project", expect(ALL_REQUIREMENTS)),
    ("requirements:change", "get", "change", expect(ALL_REQUIREMENTS)),
    ("requirements:change_decide", "post", "change", expect(ALL_REQUIREMENTS, ok=302)),
    ("requirements:conflicts", "get", "project", expect(ALL_REQUIREMENTS)),
    ("requirements:conflict_resolve", "post", "conflict", expect(ALL_REQUIREMENTS, ok=302)),
    ("requirements:goals", "get", "project", expect(CHANNEL_READERS)),
    ("requirements:goal_new", "get", "project", expect(MANAGERS)),
    ("requirements:goal_edit", "get", "goal", expect(MANAGERS)),
    ("requirements:rounds", "get", "project", expect(TESTING)),
    ("requirements:round_new", "get", "project", expect(MANAGERS)),
    ("requirements:round_new", "post", "project", expect(MANAGERS, ok=302)),
    ("requirements:round", "get", "round", expect(TESTING)),
    ("requirements:round_edit", "get", "round", expect(MANAGERS)),
    ("requirements:round_status", "post", "round", expect(MANAGERS, ok=302)),
    ("requirements:feedback_new", "get", "round", expect(TESTERS)),
    ("requirements:feedback_new", "post", "round", expect(TESTERS, ok=302)),
    ("requirements:feedback_similar", "get", "round", expect(TESTERS)),
    ("requirements:feedback_list", "get", "project", expect(TESTING)),
    ("requirements:feedback_board", "get", "project", expect(TESTING)),
    ("requirements:feedback", "get", "feedback", expect(TESTING)),
    # The tester may not triage: told so on the item's page, nothing changes.
    ("requirements:feedback_transition", "post", "feedback", expect(TESTING, ok=302)),
    ("requirements:feedback_comment", "post", "feedback", expect(TESTING, ok=302)),
    # Their own item: "me too" is refused with a message on the round's page.
    ("requirements:feedback_me_too", "post", "feedback", expect(TESTERS, ok=302)),
    ("requirements:screenshot", "get", "screenshot", expect(TESTING)),
    ("requirements:readiness", "get", "project", expect(ALL_REQUIREMENTS)),
    ("audit:list", "get", None, expect(("staff",), hidden=403)),
    ("audit:export", "get", None, expect(("staff",), hidden=403)),
    ("accounts:profile", "get", None, expect(EVERYONE)),
    ("accounts:password_change", "get", None, expect(EVERYONE)),
    # Those who must use a second factor have it (signed in verified); the others set one up.
    ("accounts:two_factor", "get", None, expect(EVERYONE)),
    # Verified: on to the next page; without an authenticator: to set one up.
    ("accounts:two_factor_verify", "get", None, expect(EVERYONE, ok=302)),
    ("accounts:recovery_codes", "post", None, expect(TWO_FACTOR_REQUIRED, refused=302)),
    # Refused where it is required; a no-op redirect for those who have none.
    (
        "accounts:two_factor_disable",
        "post",
        None,
        expect(set(EVERYONE) - set(TWO_FACTOR_REQUIRED), ok=302, hidden=403),
    ),
]

POST_DATA = {
    "projects:edit": {
        "name": "Renamed",
        "lms_product": "Moodle",
        "deployment_model": "saas",
        "start_date": "2026-09-01",
        "target_go_live": "2027-03-01",
        "currency": "EUR",
        "status": "active",
    },
    "projects:site_add": {"name": "Spain", "kind": "country"},
    "projects:save_template": {"name": "Standard rollout", "key": "TPL"},
    "projects:milestone_add": {"name": "Go-live", "planned_date": "2027-03-01"},
    "projects:raid_add": {"kind": "risk", "title": "Designer", "impact": "high", "status": "open"},
    "projects:release_add": {"site": "{site}", "title": "Module", "ready_on": "2026-10-01"},
    "projects:budget_line_add": {"category": "licences", "name": "Licences", "planned_amount": "9"},
    "projects:cost_entry_add": {
        "line": "{line}",
        "date": "2026-10-01",
        "description": "Invoice",
        "amount": "100",
        "currency": "EUR",
        "rate_to_project": "1",
    },
    "projects:report_generate": {
        "audience": "client",
        "period_start": "2026-11-01",
        "period_end": "2026-11-14",
        "paper": "a4",
    },
    "projects:report_schedules": {
        "audience": "client",
        "frequency": "weekly",
        "weekday": "0",
        "day_of_month": "1",
        "hour": "8",
        "paper": "a4",
    },
    "projects:member_add": {"email": "new.person@example.com", "role": Role.TESTER},
    "projects:member_role": {"role": Role.OBSERVER},
    "stakeholders:add": {"name": "Lena Fischer", "side": "client", "department": "hr"},
    "stakeholders:post": {"kind": "question", "subject": "Which browsers?", "body": "Edge?"},
    "stakeholders:decide": {"decision": "confirm"},
    "requirements:new": {
        "title": "SSO",
        "area": "platform",
        "priority": "must",
        "kind": "functional",
    },
    "requirements:transition": {"to": "endorsed"},
    "requirements:round_new": {
        "name": "Round 2",
        "starts_on": "2026-11-02",
        "ends_on": "2026-11-13",
    },
    "requirements:round_status": {"status": "closed"},
    "requirements:feedback_new": {"title": "Video stops", "kind": "defect", "severity": "major"},
    "requirements:feedback_transition": {"to": "triaged"},
    "requirements:feedback_comment": {"body": "Which browser was it?"},
    "requirements:bulk": {"numbers": [1], "to": "endorsed"},
    "stakeholders:ownership_set": {
        "stakeholder": "{stakeholder}",
        "area": "platform",
        "letter": "A",
    },
}


def _args(kind, project, user):
    if kind is None:
        return []
    if kind == "project":
        return [project.key]
    if kind == "site":
        return [project.key, SiteFactory(project=project).pk]
    if kind == "raid":
        raid = services.raid_save(item=RaidItem(project=project, kind="risk", title="X"), by=None)
        return [project.key, raid.pk]
    if kind == "release":
        release = services.release_save(
            release=ContentRelease(
                project=project,
                site=SiteFactory(project=project),
                title="Module",
                ready_on=date(2026, 10, 1),
            ),
            by=None,
        )
        return [project.key, release.pk]
    if kind in ("budget_line", "internal_line"):
        return [project.key, _budget_line(project, internal=kind == "internal_line").pk]
    if kind in ("cost_entry", "internal_cost"):
        line = _budget_line(project, internal=kind == "internal_cost")
        entry = services.cost_entry_save(
            entry=CostEntry(project=project, line=line, date=date(2026, 10, 1),
                            description="Invoice", amount=Decimal(100), currency="EUR"),
            by=None,
        )  # fmt: skip
        return [project.key, entry.pk]
    if kind in ("report", "vendor_report"):
        report = Report(project=project, audience="vendor" if kind == "vendor_report" else "client",
                        period_start=date(2026, 11, 1), period_end=date(2026, 11, 14),
                        state=ReportState.DONE, pages=1)  # fmt: skip
        report.file.save("r.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
        return [project.key, report.pk]
    if kind == "schedule":
        schedule = ReportSchedule.objects.create(
            project=project, audience="client", frequency="weekly"
        )
        return [project.key, schedule.pk]
    if kind == "calendar":
        membership = project.memberships.get(role=Role.PROJECT_MANAGER)
        return [services.member_new_calendar_link(membership=membership, by=None).calendar_token]
    if kind == "milestone":
        milestone = services.milestone_save(
            milestone=Milestone(
                project=project,
                name="Go-live",
                planned_date=date(2027, 3, 1),
                forecast_date=date(2027, 3, 1),
            ),
            by=None,
        )
        return [project.key, milestone.pk]
    if kind == "membership":
        membership = project.memberships.get(user=user)
        return [project.key, membership.pk]
    if kind == "client":
        return [ClientFactory().pk]
    if kind == "user":
        return [user.pk]
    if kind == "stakeholder":
        return [project.key, _stakeholder(project).pk]
    if kind == "requirement":
        manager = project.memberships.get(role=Role.PROJECT_MANAGER).user
        requirement = requirement_services.requirement_submit(
            requirement=Requirement(project=project, title="SSO"), by=manager
        )
        return [project.key, requirement.number]
    if kind == "change":
        manager = project.memberships.get(role=Role.PROJECT_MANAGER).user
        requirement = requirement_services.requirement_submit(
            requirement=Requirement(project=project, title="SSO", status="accepted"), by=manager
        )
        requirement_services.baseline_create(project=project, note="", by=manager)
        requirement.refresh_from_db()
        change = requirement_services.change_request_raise(
            change=ChangeRequest(
                requirement=requirement,
                kind="change",
                description="Brazil first",
                proposed_priority="must",
            ),
            by=manager,
        )
        return [project.key, change.number]
    if kind == "conflict":
        manager = project.memberships.get(role=Role.PROJECT_MANAGER).user
        first, second = (
            requirement_services.requirement_submit(
                requirement=Requirement(project=project, title=title), by=manager
            )
            for title in ("Global dashboard", "Regional dashboards")
        )
        conflict = requirement_services.conflict_raise(
            first=first, second=second, note="x", by=manager
        )
        return [project.key, conflict.pk]
    if kind == "import":
        manager = project.memberships.get(role=Role.PROJECT_MANAGER).user
        job = ImportJob.objects.create(
            project=project, created_by=manager, filename="a.csv", content=b"title\nSSO\n", total=1
        )
        return [project.key, job.pk]
    if kind == "goal":
        goal = requirement_services.goal_save(goal=Goal(project=project, title="Certify"), by=None)
        return [project.key, goal.pk]
    if kind == "round":
        return [project.key, open_round(project, [user]).pk]
    if kind == "feedback":
        return [project.key, log(open_round(project, [user]), user).number]
    if kind == "screenshot":
        feedback = log(open_round(project, [user]), user)
        upload = UploadedFile("screen.png", PNG, "image/png")
        shot = Screenshot.objects.create(
            feedback=feedback, file=upload.as_django_file(), name=upload.name, size=upload.size,
            content_type=upload.content_type,
        )  # fmt: skip
        return [project.key, shot.pk]
    if kind == "entry":
        return [project.key, _waiting_entry(project, user).pk]
    if kind == "attachment":
        entry = _waiting_entry(project, user)
        upload = UploadedFile("notes.txt", b"minutes", "text/plain")
        attachment = Attachment.objects.create(
            entry=entry, file=upload.as_django_file(), name=upload.name, size=7,
            content_type=upload.content_type,
        )  # fmt: skip
        return [project.key, attachment.pk]
    raise AssertionError(kind)


def _budget_line(project, internal=False):
    return services.budget_line_save(
        line=BudgetLine(project=project, category="licences", name="Licences",
                        planned_amount=Decimal(1000), is_internal=internal),
        by=None,
    )  # fmt: skip


def _stakeholder(project):
    return stakeholder_services.stakeholder_save(
        stakeholder=Stakeholder(project=project, name="Olga Berg", side="client", department="it"),
        by=None,
    )


def _waiting_entry(project, author):
    """A request from a client stakeholder who is not the point of contact."""
    return stakeholder_services.entry_post(
        project=project, author=author, kind="request", subject="Add a leaderboard"
    )


# A URL tried on two kinds of object names the kind in its test ids.
_TWICE = {row[:2] for row in MATRIX if [r[:2] for r in MATRIX].count(row[:2]) > 1}
CASES = [
    pytest.param(
        name,
        method,
        kind,
        who,
        status,
        id=f"{name}-{method}-{kind}-{who}"
        if (name, method) in _TWICE
        else f"{name}-{method}-{who}",
    )
    for name, method, kind, table in MATRIX
    for who, status in table.items()
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def target_of(kind, persona):
    """The person an object of `kind` is made for: for memberships, a tester added for the
    test; entries are requests from a client stakeholder, waiting for the point of contact."""
    target = {"membership": "tester", "user": "tester", "entry": "stakeholder",
              "attachment": "stakeholder", "round": "tester", "feedback": "tester",
              "screenshot": "tester"}.get(kind)  # fmt: skip
    return persona(target) if target else None


def post_data(url_name, project) -> dict:
    """The valid form `url_name` is posted with, its ids those of `project`'s objects."""
    data = dict(POST_DATA.get(url_name, {}))
    if data.get("site") == "{site}":
        data["site"] = SiteFactory(project=project).pk
    if data.get("line") == "{line}":
        data["line"] = _budget_line(project).pk
    if data.get("stakeholder") == "{stakeholder}":
        data["stakeholder"] = _stakeholder(project).pk
    return data


@pytest.mark.parametrize(("url_name", "method", "kind", "who", "status"), CASES)
def test_access(client, project, persona, url_name, method, kind, who, status):
    url = reverse(url_name, args=_args(kind, project, target_of(kind, persona)))
    data = post_data(url_name, project)
    user = persona(who)
    if user is not None:
        client.force_login(user)
    before = _row_counts()
    response = getattr(client, method)(url, data)
    assert response.status_code == status, response.content[:500]
    refused = status in (403, 404) or who == "anonymous"
    if refused or method == "get":
        # A refusal, or a page that is only read, changes no row anywhere.
        assert _row_counts() == before
    if status == 302 and who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    if status == 200 and response["Content-Type"].startswith("text/html"):
        # The browser tab and a screen reader's first words: short plain text, ending in ours.
        title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]
        assert len(title) < 150 and "<" not in title and title.endswith("· Liaison"), title
    if status == 404:
        assert b"Page not found" in response.content
    if status == 403:
        assert "do this here" in response.content.decode()
        # Every refusal is in the audit log, with the person refused.
        refusal = AuditEvent.objects.filter(kind=Kind.ACCESS_REFUSED).latest("pk")
        assert (refusal.actor, refusal.path.split("?")[0]) == (user, url)


def _row_counts() -> dict[str, int]:
    """Rows per table of the project's own apps (history included: every change writes one)."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("accounts", "projects", "stakeholders", "requirements")
        for model in apps.get_app_config(app).get_models()
    }


def test_every_url_name_is_in_the_matrix():
    from django.urls import get_resolver

    names = {
        f"{namespace}:{name}"
        for namespace in ("projects", "stakeholders", "requirements", "audit")
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    covered = {row[0] for row in MATRIX}
    assert names <= covered, f"URLs with no row in the access matrix: {sorted(names - covered)}"
