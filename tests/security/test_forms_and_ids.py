"""Generated over the URL patterns, with the access matrix's objects: a GET changes nothing,
a POST needs its CSRF token, an id from another project is refused exactly like one that does
not exist, and a form takes only the fields its role may set."""

import difflib
import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from projects import forms as project_forms
from projects import services
from projects.models import Project
from projects.roles import Role
from requirements import forms as requirement_forms
from requirements import services as requirement_services
from requirements.models import Requirement
from stakeholders import forms as stakeholder_forms
from tests.projects.factories import ProjectFactory, UserFactory
from tests.projects.test_access_matrix import (
    MATRIX,
    _args,
    _media,  # noqa: F401  (autouse: uploads go to a temporary folder)
    _row_counts,
    post_data,
    target_of,
)

APPS = ("projects", "stakeholders", "requirements")


def _allowed(table: dict) -> str:
    """A persona the matrix lets do it (not refused, not hidden)."""
    return next(
        who
        for who in ("pm", "staff", "tester", "spoc", "team_member", "stakeholder")
        if who in table and table[who] in (200, 302)
    )


# Pages the matrix reads with a GET whose form posts back to the same URL.
FORM_PAGES = {
    "projects:create", "projects:client_create", "projects:client_edit", "projects:user_create",
    "projects:user_edit", "projects:site_edit", "projects:milestone_edit", "projects:release_edit",
    "projects:raid_edit", "projects:budget_line_edit", "projects:cost_entry_edit",
    "stakeholders:import", "stakeholders:edit", "stakeholders:email", "requirements:edit",
    "requirements:import", "requirements:change_new", "requirements:conflict_new",
    "requirements:goal_new", "requirements:goal_edit", "requirements:round_edit",
    "accounts:profile", "accounts:password_change",
}  # fmt: skip

# Every URL that changes something, once per URL name, with someone allowed to send it.
MUTATIONS = {}
for _name, _method, _kind, _table in MATRIX:
    if (_method == "post" or _name in FORM_PAGES) and _name not in MUTATIONS:
        MUTATIONS[_name] = (_kind, _allowed(_table))


def _url(url_name, kind, project, persona):
    return reverse(url_name, args=_args(kind, project, target_of(kind, persona)))


@pytest.mark.parametrize("url_name", sorted(MUTATIONS))
def test_a_get_on_a_mutation_changes_nothing(client, project, persona, url_name):
    kind, who = MUTATIONS[url_name]
    url = _url(url_name, kind, project, persona)
    client.force_login(persona(who))
    before = _row_counts()
    response = client.get(url)
    assert _row_counts() == before
    # Refused as a method, or the form that the POST sends: nothing done either way.
    assert response.status_code in (405, 200), response.status_code
    if response.status_code == 200:
        assert '<form method="post"' in response.content.decode()


@pytest.mark.parametrize("url_name", sorted(MUTATIONS))
def test_a_post_without_its_csrf_token_is_refused(project, persona, url_name):
    kind, who = MUTATIONS[url_name]
    url = _url(url_name, kind, project, persona)
    data = post_data(url_name, project)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(persona(who))
    before = _row_counts()
    response = browser.post(url, data)
    assert response.status_code == 403
    assert _row_counts() == before


def test_htmx_requests_carry_the_csrf_token_set_on_the_page(project, pm, tester):
    from tests.requirements.uat import log, open_round

    feedback = log(open_round(project, [tester]), tester)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pm)
    page = browser.get(reverse("requirements:feedback", args=[project.key, feedback.number]))
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page.content.decode())[1]
    url = reverse("requirements:feedback_transition", args=[project.key, feedback.number])
    without = browser.post(url, {"to": "triaged"}, HTTP_HX_REQUEST="true")
    assert without.status_code == 403
    sent = browser.post(url, {"to": "triaged"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 200 and "moved to “Triaged”" in sent.content.decode()
    feedback.refresh_from_db()
    assert feedback.status == "triaged"


# The foreign-id sweep. Each row: a URL pattern, how it is sent and by whom, the kind of
# object its own URL names (in `project`), and where the id under test goes ("path": the URL's
# own id; "query" or "form": the named parameter) with the kind of object it names.
SWEEP = [
    # (url name, method, who, URL object kind, where, parameter, kind named)
    ("projects:site_edit", "get", "pm", "site", "path", None, "site"),
    ("projects:site_archive", "post", "pm", "site", "path", None, "site"),
    ("projects:milestone_edit", "get", "pm", "milestone", "path", None, "milestone"),
    ("projects:milestone_archive", "post", "pm", "milestone", "path", None, "milestone"),
    ("projects:release_edit", "get", "pm", "release", "path", None, "release"),
    ("projects:raid_edit", "get", "pm", "raid", "path", None, "raid"),
    ("projects:budget_line_edit", "get", "pm", "budget_line", "path", None, "budget_line"),
    ("projects:budget_line_archive", "post", "pm", "budget_line", "path", None, "budget_line"),
    ("projects:cost_entry_edit", "get", "pm", "cost_entry", "path", None, "cost_entry"),
    ("projects:cost_entry_archive", "post", "pm", "cost_entry", "path", None, "cost_entry"),
    ("projects:report", "get", "pm", "report", "path", None, "report"),
    ("projects:report_download", "get", "pm", "report", "path", None, "report"),
    ("projects:report_schedule_stop", "post", "pm", "schedule", "path", None, "schedule"),
    ("projects:member_role", "post", "pm", "membership", "path", None, "membership"),
    ("projects:member_remove", "post", "pm", "membership", "path", None, "membership"),
    ("stakeholders:edit", "get", "pm", "stakeholder", "path", None, "stakeholder"),
    ("stakeholders:active", "post", "pm", "stakeholder", "path", None, "stakeholder"),
    ("stakeholders:entry", "get", "pm", "entry", "path", None, "entry"),
    ("stakeholders:decide", "post", "spoc", "entry", "path", None, "entry"),
    ("stakeholders:attachment", "get", "pm", "attachment", "path", None, "attachment"),
    ("requirements:import_job", "get", "pm", "import", "path", None, "import"),
    ("requirements:import_confirm", "post", "pm", "import", "path", None, "import"),
    ("requirements:detail", "get", "pm", "requirement", "path", None, "requirement"),
    ("requirements:edit", "get", "pm", "requirement", "path", None, "requirement"),
    ("requirements:transition", "post", "pm", "requirement", "path", None, "requirement"),
    ("requirements:change_new", "get", "pm", "requirement", "path", None, "requirement"),
    ("requirements:conflict_new", "get", "pm", "requirement", "path", None, "requirement"),
    ("requirements:change", "get", "pm", "change", "path", None, "change"),
    ("requirements:change_decide", "post", "pm", "change", "path", None, "change"),
    ("requirements:conflict_resolve", "post", "pm", "conflict", "path", None, "conflict"),
    ("requirements:goal_edit", "get", "pm", "goal", "path", None, "goal"),
    ("requirements:round", "get", "pm", "round", "path", None, "round"),
    ("requirements:round_edit", "get", "pm", "round", "path", None, "round"),
    ("requirements:round_status", "post", "pm", "round", "path", None, "round"),
    ("requirements:feedback_new", "get", "tester", "round", "path", None, "round"),
    ("requirements:feedback_similar", "get", "tester", "round", "path", None, "round"),
    ("requirements:feedback", "get", "pm", "feedback", "path", None, "feedback"),
    ("requirements:feedback_transition", "post", "pm", "feedback", "path", None, "feedback"),
    ("requirements:feedback_comment", "post", "pm", "feedback", "path", None, "feedback"),
    ("requirements:feedback_me_too", "post", "tester", "feedback", "path", None, "feedback"),
    ("requirements:screenshot", "get", "pm", "screenshot", "path", None, "screenshot"),
    # Ids in query strings.
    ("stakeholders:post", "get", "pm", "project", "query", "corrects", "entry"),
    ("stakeholders:post", "post", "pm", "project", "query", "corrects", "entry"),
    ("requirements:list", "get", "pm", "project", "query", "site", "site"),
    ("requirements:list", "get", "pm", "project", "query", "goal", "goal"),
    ("requirements:list", "get", "pm", "project", "query", "submitter", "stakeholder"),
    ("requirements:feedback_list", "get", "pm", "project", "query", "round", "round"),
    ("requirements:feedback_list", "get", "pm", "project", "query", "site", "site"),
    ("requirements:feedback_list", "get", "pm", "project", "query", "requirement", "requirement"),
    ("requirements:feedback_list", "get", "pm", "project", "query", "tester", "user"),
    ("requirements:feedback_board", "get", "pm", "project", "query", "round", "round"),
    ("stakeholders:list", "get", "pm", "project", "query", "site", "site"),
    ("stakeholders:channel", "get", "pm", "project", "query", "author", "user"),
    # Ids in form fields and htmx values.
    ("projects:create", "post", "pm", None, "form", "source", "project"),
    ("projects:milestone_add", "post", "pm", "project", "form", "site", "site"),
    ("projects:milestone_add", "post", "pm", "project", "form", "owner", "user"),
    ("projects:release_add", "post", "pm", "project", "form", "site", "site"),
    ("projects:raid_add", "post", "pm", "project", "form", "owner", "user"),
    ("projects:report_schedules", "post", "pm", "project", "form", "recipients", "user"),
    ("projects:budget_line_add", "post", "pm", "project", "form", "site", "site"),
    ("projects:cost_entry_add", "post", "pm", "project", "form", "line", "budget_line"),
    ("stakeholders:add", "post", "pm", "project", "form", "site", "site"),
    ("stakeholders:add", "post", "pm", "project", "form", "user", "user"),
    ("stakeholders:ownership_set", "post", "pm", "project", "form", "stakeholder", "stakeholder"),
    # The map's cell names a site inside its area key: "local_rollout-<site id>".
    ("stakeholders:ownership_set", "post", "pm", "project", "form", "area", "site"),
    ("stakeholders:post", "post", "pm", "project", "form", "corrects", "entry"),
    ("stakeholders:contact", "post", "pm", "project", "form", "stakeholder", "stakeholder"),
    ("requirements:new", "post", "pm", "project", "form", "site", "site"),
    ("requirements:new", "post", "pm", "project", "form", "goal", "goal"),
    ("requirements:new", "post", "pm", "project", "form", "submitter", "stakeholder"),
    ("requirements:edit", "post", "pm", "requirement", "form", "goal", "goal"),
    ("requirements:bulk", "post", "pm", "project", "form", "numbers", "requirement"),
    ("requirements:conflict_new", "post", "pm", "requirement", "form", "second", "requirement"),
    ("requirements:change_new", "post", "pm", "baselined", "form", "proposed_site", "site"),
    ("requirements:round_new", "post", "pm", "project", "form", "site", "site"),
    ("requirements:round_new", "post", "pm", "project", "form", "requirements", "requirement"),
    ("requirements:round_new", "post", "pm", "project", "form", "testers", "user"),
    ("requirements:feedback_new", "post", "tester", "round", "form", "requirement", "requirement"),
    (
        "requirements:feedback_transition",
        "post",
        "pm",
        "feedback",
        "form",
        "duplicate_of",
        "feedback",
    ),
]

# Not scoped by a project: vendor staff administer every client and person, and the calendar
# feed's key is a secret token, not an id.
NOT_PROJECT_SCOPED = {
    "projects:client_edit",
    "projects:client_archive",
    "projects:user_edit",
    "projects:user_two_factor_reset",
    "projects:calendar_feed",
}

# A parameter that carries an id inside a longer value.
FORMAT = {("stakeholders:ownership_set", "area"): "local_rollout-{}"}

# What the forms in the sweep are posted with, beyond the matrix's own data.
SWEEP_DATA = {
    "projects:create": {
        "client": "{client}",
        "name": "Copy",
        "key": "CPY",
        "lms_product": "Moodle",
        "deployment_model": "saas",
        "start_date": "2026-09-01",
        "target_go_live": "2027-03-01",
        "currency": "EUR",
    },
    "projects:budget_line_add": {"category": "licences", "name": "Licences", "planned_amount": "9"},
    "stakeholders:contact": {"side": "client", "started_on": "2026-11-02"},
    "stakeholders:post": {"kind": "question", "subject": "Which browsers?", "body": "Edge?"},
    "requirements:edit": {
        "title": "SSO",
        "area": "platform",
        "priority": "must",
        "kind": "functional",
        "version": "1",
    },
    "requirements:conflict_new": {"note": "Opposite asks"},
    "requirements:change_new": {"description": "Brazil first", "kind": "change"},
    "requirements:feedback_transition": {"to": "duplicate"},
}


def _sweep_id(row) -> str:
    name, method, _who, _kind, where, parameter, _named = row
    return f"{name}-{method}-{where}" + (f"-{parameter}" if parameter else "")


@pytest.fixture
def elsewhere(db):
    """Another project, with its own cast, that the people of `project` cannot see."""
    manager = UserFactory()
    other = ProjectFactory(key="OTH", manager=manager)
    cast = {"pm": manager}
    for name, role in (("tester", Role.TESTER), ("stakeholder", Role.STAKEHOLDER)):
        cast[name] = UserFactory()
        services.membership_grant(project=other, user=cast[name], role=role, by=manager)
    return other, cast


def _object_id(kind: str, project: Project, cast: dict):
    """The id (or number) by which a request names an object of `kind` in `project`."""
    if kind == "project":
        return project.pk
    if kind == "user":
        return cast["pm"].pk
    if kind == "feedback_key":
        return f"{project.key}-F{_object_id('feedback', project, cast)}"
    made_for = target_of(kind, lambda name: cast.get(name))
    return _args(kind, project, made_for)[-1]


def _baselined(project, pm):
    requirement = requirement_services.requirement_submit(
        requirement=Requirement(project=project, title="SSO", status="accepted"), by=pm
    )
    requirement_services.baseline_create(project=project, note="", by=pm)
    return [project.key, requirement.number]


def _normalised(response, values, parameter=None) -> tuple:
    """What a person sees of a response, the masked CSRF and one-time tokens aside, and the id
    they sent written the same way whichever it was."""
    if response.status_code in (301, 302):
        # The messages this response added, for the page it sends the person to.
        messages = [str(m) for m in response.wsgi_request._messages._queued_messages]
        return response.status_code, response["Location"], messages
    body = response.content.decode(errors="replace")
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
    body = re.sub(r'name="(csrfmiddlewaretoken|once)" value="[^"]+"', "", body)
    for value in values:
        body = re.sub(rf'value="{re.escape(str(value))}"', 'value="ID"', body)
        # A list of choices, or a message quoting it, repeats back the value it did not know,
        # whichever it was.
        body = body.replace(f"{value} is not one of", "ID is not one of")
        body = body.replace(f"“{value}”", "“ID”")
        if parameter:
            body = re.sub(rf"([?&;]{parameter}=){re.escape(str(value))}\b", r"\1ID", body)
    return response.status_code, body


@pytest.mark.parametrize("row", SWEEP, ids=[_sweep_id(row) for row in SWEEP])
def test_an_id_from_another_project_is_refused_like_one_that_does_not_exist(
    client, project, persona, elsewhere, row
):
    name, method, who, url_kind, where, parameter, named = row
    other, cast = elsewhere
    user = persona(who)
    pm = persona("pm")
    persona("tester")  # invited to the rounds made below, where a tester is needed
    foreign = _object_id("feedback_key" if parameter == "duplicate_of" else named, other, cast)
    missing = f"{project.key}-F999999" if parameter == "duplicate_of" else 999999
    client.force_login(user)
    responses = []
    base = {**post_data(name, project), **(SWEEP_DATA.get(name, {}) if where != "path" else {})}
    for value in (foreign, missing):
        if where == "path":
            args, query, data = [project.key, value], {}, dict(base)
        else:
            if url_kind is None:
                args = []
            elif url_kind == "baselined":
                args = _baselined(project, pm) if not responses else args
            elif url_kind == "project":
                args = [project.key]
            elif not responses:
                args = _args(url_kind, project, target_of(url_kind, persona))
            data = dict(base)
            if data.get("client") == "{client}":
                data["client"] = project.client_id
            query = {}
            shaped = FORMAT.get((name, parameter), "{}").format(value)
            (query if where == "query" else data)[parameter] = shaped
        url = reverse(name, args=args)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        before = _row_counts()
        response = getattr(client, method)(url, data if method == "post" else None)
        assert _row_counts() == before, f"{value}: a row changed"
        responses.append(response)
    foreign_seen, missing_seen = (_normalised(r, (foreign, missing), parameter) for r in responses)
    assert foreign_seen[0] in (404, 200, 400, 302), foreign_seen[0]
    if where == "path":
        assert foreign_seen[0] == 404
    if foreign_seen != missing_seen and len(foreign_seen) == 2:
        diff = difflib.unified_diff(
            missing_seen[1].splitlines(), foreign_seen[1].splitlines(), lineterm="", n=0
        )
        pytest.fail("\n".join(list(diff)[:40]))
    assert foreign_seen == missing_seen


def _model_choice_fields():
    """Every form field that takes an object's id, as (form class, field name)."""
    from django import forms

    for module in (project_forms, requirement_forms, stakeholder_forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                for field_name, field in value.base_fields.items():
                    if isinstance(field, forms.ModelChoiceField) and value.__module__ == (
                        module.__name__
                    ):
                        yield value.__name__, field_name


# Forms whose id fields are not posted by a project's people: filters (read through the query
# string rows above), and staff administration of people and clients.
NOT_POSTED = {"ProjectForm", "ProjectCreateForm", "StaffUserForm", "ClientForm"}


def test_every_pattern_and_form_field_that_carries_an_id_is_in_the_sweep():
    resolver = get_resolver()
    with_ids = set()
    for namespace in APPS:
        urls = resolver.namespace_dict[namespace][1]
        for name in urls.reverse_dict:
            if isinstance(name, str) and any(
                "<int:" in str(pattern)
                for pattern in [p.pattern for p in urls.url_patterns if p.name == name]
            ):
                with_ids.add(f"{namespace}:{name}")
    swept = {row[0] for row in SWEEP if row[4] == "path"}
    missing = with_ids - swept - NOT_PROJECT_SCOPED
    assert not missing, f"URL patterns that carry ids but have no row: {sorted(missing)}"
    parameters = {row[5] for row in SWEEP if row[4] in ("form", "query")}
    unswept = {
        f"{form}.{field}"
        for form, field in _model_choice_fields()
        if field not in parameters and form not in NOT_POSTED
    }
    assert not unswept, f"form fields that take ids but have no row: {sorted(unswept)}"


# Mass assignment. Each form a role may post is sent twice: as the page offers it, and with
# fields it does not offer that role (the project, a status, a key, a version, who made it,
# the internal and shared flags, another project's objects). The second must do exactly what
# the first did: the same rows, holding the same values.
MASS = [
    # (url name, who, URL object kind, the rows the form writes, their data)
    ("requirements:new", "stakeholder", "project", "requirements.Requirement",
     {"title": "SSO", "area": "platform", "priority": "must", "kind": "functional"}),
    ("requirements:new", "pm", "project", "requirements.Requirement",
     {"title": "SSO", "area": "platform", "priority": "must", "kind": "functional"}),
    ("requirements:edit", "team_member", "requirement", "requirements.Requirement",
     {"title": "SSO for all", "area": "platform", "priority": "should", "kind": "functional"}),
    ("requirements:feedback_new", "tester", "round", "requirements.Feedback",
     {"title": "Video stops", "kind": "defect", "severity": "major"}),
    ("requirements:feedback_comment", "team_member", "feedback", "requirements.FeedbackComment",
     {"body": "Which browser?"}),
    ("requirements:round_new", "pm", "project", "requirements.TestRound",
     {"name": "Round 2", "starts_on": "2026-11-02", "ends_on": "2026-11-13"}),
    ("stakeholders:post", "stakeholder", "project", "stakeholders.Entry",
     {"kind": "request", "subject": "A leaderboard", "body": "Please"}),
    ("stakeholders:add", "pm", "project", "stakeholders.Stakeholder",
     {"name": "Lena Fischer", "side": "client", "department": "hr"}),
    ("projects:milestone_add", "pm", "project", "projects.Milestone", MILESTONE_DATA := {
        "name": "Go-live", "planned_date": "2027-03-01", "forecast_date": "2027-03-01"}),
    ("projects:milestone_edit", "pm", "milestone", "projects.Milestone",
     {**MILESTONE_DATA, "name": "Launch"}),
    ("projects:raid_add", "pm", "project", "projects.RaidItem",
     {"kind": "risk", "title": "Designer", "impact": "high", "status": "open"}),
    ("projects:budget_line_add", "pm", "project", "projects.BudgetLine",
     {"category": "licences", "name": "Licences", "planned_amount": "9"}),
    ("projects:cost_entry_add", "pm", "project", "projects.CostEntry",
     {"line": "{line}", "date": "2026-10-01", "description": "Invoice", "amount": "100",
      "currency": "EUR", "rate_to_project": "1"}),
    ("projects:site_add", "pm", "project", "projects.Site", {"name": "Spain", "kind": "country"}),
    ("projects:edit", "pm", "project", "projects.Project", {
        "name": "Renamed", "lms_product": "Moodle", "deployment_model": "saas",
        "start_date": "2026-09-01", "target_go_live": "2027-03-01", "currency": "EUR",
        "status": "active"}),
]  # fmt: skip

# A field that must differ between two rows of a project: the second row gets another value.
VARY = {"projects:site_add": "name"}

# Kept by the system, different on every row whatever was sent.
_OWN = {"id", "number", "created_at", "updated_at", "key_number", "version", "calendar_token"}


def _extras(other, cast) -> dict:
    """Fields a form might be tempted to take: each names the other project or its people."""
    from requirements.models import TestRound

    other_round = TestRound.objects.filter(project=other).first()
    return {
        "project": other.pk, "project_id": other.pk, "client": other.client_id,
        "status": "verified", "key": "HACK", "number": "77", "version": "99",
        "created_by": cast["pm"].pk, "submitter": cast["pm"].pk, "tester": cast["pm"].pk,
        "author": cast["pm"].pk, "owner": cast["pm"].pk, "is_internal": "on",
        "shared": "on", "off_channel": "", "in_baseline": "on", "archived_at": "2026-01-01",
        "spoc_decision": "confirmed", "id": "424242", "pk": "424242",
        "round": other_round.pk if other_round else "1", "line": "424242",
        "site": "424242", "goal": "424242", "requirement": "424242", "user": cast["pm"].pk,
    }  # fmt: skip


def _snapshot(row) -> dict:
    return {
        field.attname: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if field.attname not in _OWN
    }


@pytest.mark.parametrize("case", MASS, ids=[f"{c[0]}-{c[1]}" for c in MASS])
def test_fields_a_form_does_not_offer_change_nothing(client, project, persona, elsewhere, case):
    from django.apps import apps as django_apps

    name, who, url_kind, label, data = case
    other, cast = elsewhere
    _object_id("round", other, cast)  # the other project has a round its ids could name
    model = django_apps.get_model(label)
    persona("tester")
    user = persona(who)
    if who == "stakeholder":  # a client submits as their own stakeholder entry
        from stakeholders import services as stakeholder_services
        from stakeholders.models import Stakeholder

        stakeholder_services.stakeholder_save(
            stakeholder=Stakeholder(project=project, name="Marc", department="ld",
                                    email=user.email, user=user),
            by=None,
        )  # fmt: skip
    args = [project.key] if url_kind == "project" else _args(url_kind, project, persona("tester"))
    url = reverse(name, args=args)
    data = {**post_data(name, project), **data}
    if data.get("line") == "{line}":
        data["line"] = post_data("projects:cost_entry_add", project)["line"]
    client.force_login(user)
    results = []
    for extra in (False, True):
        offered = set(re.findall(r'name="([^"]+)"', client.get(url).content.decode()))
        version = re.search(r'name="version" value="(\d+)"', client.get(url).content.decode())
        sent = dict(data, **({"version": version[1]} if version else {}))
        if extra:
            sent.update({k: v for k, v in _extras(other, cast).items() if k not in offered})
            if name in VARY:
                sent[VARY[name]] += " 2"
        before = _row_counts()
        response = client.post(url, sent)
        assert response.status_code == 302, re.findall(
            r'class="errorlist[^>]*>(.*?)</ul>', response.content.decode(), re.S
        )
        after = _row_counts()
        if model is Project:
            row = Project.objects.get(pk=project.pk)
        else:
            rows = model._default_manager.all()
            row = rows.order_by("-pk").first()
        delta = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        results.append((delta, _snapshot(row), row.pk))
    (plain_delta, plain, plain_pk), (extra_delta, extra, extra_pk) = results
    assert extra_delta == plain_delta
    if name in VARY:
        assert extra.pop(VARY[name]) != plain.pop(VARY[name])
    assert extra == plain
    if url_kind == "project" and model is not Project:
        assert extra_pk != plain_pk  # a second row was made, the same as the first
