import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import budget, services
from projects.models import BudgetLine, CostEntry, Milestone, to_project_currency
from tests.projects.factories import ProjectFactory, SiteFactory

D = datetime.date
TODAY = D(2026, 11, 24)
START, GO_LIVE = D(2026, 9, 1), D(2027, 3, 1)


def project_like(start=START, go_live=GO_LIVE):
    return SimpleNamespace(start_date=start, target_go_live=go_live, currency="EUR")


def lines(*amounts):
    return [
        SimpleNamespace(pk=n, category="licences", planned_amount=Decimal(amount))
        for n, amount in enumerate(amounts, start=1)
    ]


# Earned value on a worked example


def test_earned_value_on_a_worked_example():
    # BAC 100,000; milestones of 20%, 30% and 50%: the first two were due by today and only
    # the first is done; 30,000 spent.
    shares = [
        (D(2026, 10, 1), D(2026, 10, 3), Decimal("20")),
        (D(2026, 11, 1), None, Decimal("30")),
        (D(2027, 2, 1), None, Decimal("50")),
    ]
    spend = [budget.Spend(1, D(2026, 10, 15), Decimal("30000"))]
    figures = budget.compute(project_like(), lines("100000"), spend, shares, TODAY)
    assert figures.planned == Decimal("100000.00")
    assert figures.actual == Decimal("30000.00")
    assert figures.pv == Decimal("50000.00")  # 20% + 30% planned by today
    assert figures.ev == Decimal("20000.00")  # 20% done
    assert figures.cpi == Decimal("0.6667")  # 20,000 / 30,000
    assert figures.spi == Decimal("0.4000")  # 20,000 / 50,000
    assert figures.eac == Decimal("150000.00")  # 100,000 / (20,000 / 30,000)


def test_spend_after_today_does_not_count_yet():
    spend = [
        budget.Spend(1, TODAY, Decimal("100")),
        budget.Spend(1, TODAY + datetime.timedelta(days=1), Decimal("900")),
    ]
    figures = budget.compute(project_like(), lines("1000"), spend, [], TODAY)
    assert figures.actual == Decimal("100.00")


def test_without_budget_shares_earned_value_is_unknown():
    spend = [budget.Spend(1, D(2026, 10, 15), Decimal("500"))]
    figures = budget.compute(project_like(), lines("1000"), spend, [], TODAY)
    assert (figures.pv, figures.ev, figures.cpi, figures.spi, figures.eac) == (
        None,
        None,
        None,
        None,
        None,
    )


def test_before_any_milestone_is_due_earned_value_is_not_judged():
    shares = [(D(2027, 1, 1), None, Decimal("100"))]
    spend = [budget.Spend(1, D(2026, 10, 15), Decimal("250"))]
    figures = budget.compute(project_like(), lines("1000"), spend, shares, TODAY)
    # Money is spent, but nothing was due yet: no CPI, SPI or estimate to raise an alarm on.
    assert (figures.pv, figures.ev, figures.cpi, figures.spi, figures.eac) == (
        Decimal("0.00"),
        Decimal("0.00"),
        None,
        None,
        None,
    )


def test_a_milestone_due_but_not_done_leaves_earned_value_unjudged():
    shares = [(D(2026, 10, 1), None, Decimal("5"))]
    spend = [budget.Spend(1, D(2026, 10, 15), Decimal("250"))]
    figures = budget.compute(project_like(), lines("1000"), spend, shares, TODAY)
    # One small milestone late says the timeline slipped, not that the money is lost.
    assert (figures.pv, figures.ev) == (Decimal("50.00"), Decimal("0.00"))
    assert (figures.cpi, figures.spi, figures.eac) == (None, None, None)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 8, 1), "0.00"),  # before the start
        (D(2026, 9, 1), "0.00"),  # at the start
        (D(2026, 10, 1), "300.00"),  # 30 of 100 days
        (D(2026, 10, 21), "500.00"),  # half-way
        (D(2026, 12, 10), "1000.00"),  # at go-live
        (D(2027, 6, 1), "1000.00"),  # after go-live
    ],
)
def test_planned_to_date_follows_the_elapsed_time(today, expected):
    project = project_like(start=D(2026, 9, 1), go_live=D(2026, 12, 10))  # 100 days
    figures = budget.compute(project, lines("600", "400"), [], [], today)
    assert figures.planned_to_date == Decimal(expected)


def test_planned_to_date_rounds_to_the_cent():
    project = project_like(start=D(2026, 9, 1), go_live=D(2026, 9, 4))  # 3 days
    figures = budget.compute(project, lines("100"), [], [], D(2026, 9, 2))
    assert figures.planned_to_date == Decimal("33.33")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("61250.00", "0.176400", "10804.50"),
        ("10.00", "1.234567", "12.35"),  # 12.34567 rounds up
        ("0.01", "0.500000", "0.01"),  # half a cent rounds up, as on an invoice
        ("1000.00", "1", "1000.00"),
    ],
)
def test_conversion_to_the_project_currency_rounds_to_the_cent(amount, rate, expected):
    assert to_project_currency(Decimal(amount), Decimal(rate)) == Decimal(expected)


def test_plan_against_actual_per_category():
    rows = [
        SimpleNamespace(pk=1, category="hosting", planned_amount=Decimal("100")),
        SimpleNamespace(pk=2, category="licences", planned_amount=Decimal("300")),
        SimpleNamespace(pk=3, category="licences", planned_amount=Decimal("200")),
    ]
    spent = budget.spent_by_line(
        [
            budget.Spend(2, D(2026, 9, 5), Decimal("550")),
            budget.Spend(1, D(2026, 9, 5), Decimal("40")),
            budget.Spend(1, D(2027, 9, 5), Decimal("1000")),  # later than today
        ],
        TODAY,
    )
    categories = budget.by_category(rows, spent)
    assert [(c.label, c.planned, c.actual, c.over) for c in categories] == [
        ("Licences", Decimal("500"), Decimal("550"), True),
        ("Hosting", Decimal("100"), Decimal("40"), False),
    ]
    assert categories[1].remaining == Decimal("60")


def test_the_burn_chart_puts_spend_against_the_planned_line():
    project = project_like(start=D(2026, 9, 1), go_live=D(2027, 3, 1))
    spend = [
        budget.Spend(1, D(2026, 9, 5), Decimal("40000")),
        budget.Spend(1, D(2026, 10, 31), Decimal("20000")),
        budget.Spend(1, D(2027, 1, 31), Decimal("99999")),  # not spent yet
    ]
    figures = budget.compute(project, lines("100000"), spend, [], TODAY)
    chart = budget.burn_chart(project, figures, spend, TODAY)
    assert chart.left < chart.today_x < chart.go_live_x <= chart.right
    planned = [tuple(map(float, p.split(","))) for p in chart.planned_points.split()]
    actual = [tuple(map(float, p.split(","))) for p in chart.actual_points.split()]
    # From nothing at the start to the whole budget at go-live.
    assert planned[0] == (chart.left, chart.bottom)
    assert planned[1] == (chart.go_live_x, chart.budget_y)
    # Two steps up, then flat to today; nothing drawn beyond today.
    assert len(actual) == 6 and actual[-1][0] == chart.today_x
    assert actual[-1][1] == actual[-2][1] < actual[2][1] < chart.bottom
    assert chart.actual_label == "60,000 EUR" and chart.budget_label == "100,000 EUR"
    assert "60,000 EUR spent to date" in chart.title
    assert [label for _y, label in chart.y_ticks] == [
        "0",
        "25,000",
        "50,000",
        "75,000",
        "100,000",
        "125,000",
    ]
    assert [label for _x, label in chart.x_ticks][:3] == ["Sep", "Oct", "Nov"]


def test_no_lines_and_no_spend_no_chart():
    figures = budget.compute(project_like(), [], [], [], TODAY)
    assert budget.burn_chart(project_like(), figures, [], TODAY) is None


# With the database


def line(project, by, **fields):
    fields.setdefault("category", "licences")
    fields.setdefault("name", "Licences year 1")
    fields.setdefault("planned_amount", Decimal("1000"))
    return services.budget_line_save(line=BudgetLine(project=project, **fields), by=by)


def entry(project, by, line, **fields):
    fields.setdefault("date", D(2026, 10, 1))
    fields.setdefault("description", "Invoice")
    fields.setdefault("amount", Decimal("100"))
    fields.setdefault("currency", project.currency)
    return services.cost_entry_save(entry=CostEntry(project=project, line=line, **fields), by=by)


def test_figures_leave_vendor_internal_lines_to_those_who_may_see_them(project, pm):
    shared = line(project, pm, planned_amount=Decimal("1000"))
    internal = line(project, pm, name="Unbilled days", planned_amount=Decimal("500"),
                    is_internal=True)  # fmt: skip
    entry(project, pm, shared, amount=Decimal("200"))
    entry(project, pm, internal, amount=Decimal("300"))
    entry(project, pm, shared, amount=Decimal("50"), currency="USD",
          rate_to_project=Decimal("0.9"))  # fmt: skip
    client_view = budget.figures(project, internal=False, today=TODAY)
    vendor_view = budget.figures(project, internal=True, today=TODAY)
    assert (client_view.planned, client_view.actual) == (Decimal("1000.00"), Decimal("245.00"))
    assert (vendor_view.planned, vendor_view.actual) == (Decimal("1500.00"), Decimal("545.00"))


def test_archived_lines_and_entries_stop_counting(project, pm):
    kept = line(project, pm)
    dropped = line(project, pm, name="Mistake", planned_amount=Decimal("700"))
    entry(project, pm, kept, amount=Decimal("10"))
    cancelled = entry(project, pm, kept, amount=Decimal("20"))
    entry(project, pm, dropped, amount=Decimal("40"))
    services.cost_entry_set_archived(entry=cancelled, archived=True, by=pm)
    services.budget_line_set_archived(line=dropped, archived=True, by=pm)
    figures = budget.figures(project, internal=True, today=TODAY)
    assert (figures.planned, figures.actual) == (Decimal("1000.00"), Decimal("10.00"))
    # Archived, never deleted.
    assert BudgetLine.objects.filter(pk=dropped.pk, archived_at__isnull=False).exists()
    assert CostEntry.objects.filter(pk=cancelled.pk, archived_at__isnull=False).exists()


def test_figures_take_a_constant_number_of_queries(project, pm, django_assert_num_queries):
    for n in range(2):
        services.milestone_save(
            milestone=Milestone(project=project, name=f"M{n}", planned_date=D(2026, 10, 1),
                                forecast_date=D(2026, 10, 1), budget_share=Decimal("50")),
            by=pm,
        )  # fmt: skip
    for n in range(20):
        entry(project, pm, line(project, pm, name=f"Line {n}"))
    with django_assert_num_queries(3):
        figures = budget.figures(project, internal=True, today=TODAY)
    assert figures.ev == Decimal("0.00") and figures.pv == Decimal("20000.00")


def test_rebilling_by_site_sums_the_active_rebilling_lines(project, pm):
    brazil, france = SiteFactory(project=project), SiteFactory(project=project)
    for amount, internal in (("12000", False), ("10000", True)):
        line(project, pm, category="internal_rebilling", site=brazil, name="Rebilling",
             planned_amount=Decimal(amount), is_internal=internal)  # fmt: skip
    old = line(project, pm, category="internal_rebilling", site=france,
               planned_amount=Decimal("5000"))  # fmt: skip
    services.budget_line_set_archived(line=old, archived=True, by=pm)
    line(project, pm, category="hosting", site=france, planned_amount=Decimal("9000"))
    assert budget.rebilling_by_site(project) == {brazil.pk: Decimal("22000.00")}


# Services: what bad input gets


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"planned_amount": Decimal("-1")}, "planned_amount", "cannot be negative"),
        ({"category": "internal_rebilling"}, "site", "charged to a site"),
    ],
)
def test_a_bad_budget_line_is_refused_on_its_field(project, pm, fields, field, message):
    with pytest.raises(ValidationError) as refusal:
        line(project, pm, **fields)
    assert message in " ".join(refusal.value.message_dict[field])
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": Decimal("-5")}, "amount", "cannot be negative"),
        ({"currency": "USD", "rate_to_project": Decimal("0")}, "rate_to_project", "above zero"),
        ({"rate_to_project": Decimal("1.1")}, "rate_to_project", "project currency (EUR)"),
        ({"date": D(1926, 10, 1)}, "date", "between 2000 and 2100"),
        ({"amount": Decimal("999999999999.99"), "currency": "JPY",
          "rate_to_project": Decimal("999999.999999")}, "rate_to_project",
         "over 1,000,000,000,000 in the project currency"),
        ({"amount": Decimal("-2000000"), "currency": "USD",
          "rate_to_project": Decimal("500000")}, "amount", "cannot be negative"),
    ],
)  # fmt: skip
def test_a_bad_cost_entry_is_refused_on_its_field(project, pm, fields, field, message):
    target = line(project, pm)
    with pytest.raises(ValidationError) as refusal:
        entry(project, pm, target, **fields)
    assert message in " ".join(refusal.value.message_dict[field])
    assert not CostEntry.objects.exists()


def test_the_largest_cost_entry_a_budget_holds_is_taken(project, pm):
    target = line(project, pm, planned_amount=Decimal("999999999999.99"))
    saved = entry(project, pm, target, amount=Decimal("999999999999.99"))
    assert saved.project_amount == Decimal("999999999999.99")


def test_a_line_cannot_name_another_projects_site(project, pm):
    foreign = SiteFactory(project=ProjectFactory(manager=pm))
    with pytest.raises(ValidationError) as refusal:
        line(project, pm, site=foreign)
    assert "site" in refusal.value.message_dict


def test_an_entry_cannot_go_on_another_projects_or_an_archived_line(project, pm):
    foreign = line(ProjectFactory(manager=pm), pm)
    with pytest.raises(ValidationError) as refusal:
        entry(project, pm, foreign)
    assert "line" in refusal.value.message_dict
    archived = services.budget_line_set_archived(line=line(project, pm), archived=True, by=pm)
    with pytest.raises(ValidationError):
        entry(project, pm, archived)
    assert not CostEntry.objects.exists()


def test_every_change_is_in_the_history(project, pm):
    saved = line(project, pm)
    saved.planned_amount = Decimal("1200")
    services.budget_line_save(line=saved, by=pm)
    assert [(h.planned_amount, h.history_user) for h in saved.history.all()] == [
        (Decimal("1200.00"), pm),
        (Decimal("1000.00"), pm),
    ]


# The page, per role


@pytest.fixture
def ledger(project, pm):
    """A shared licences line and a vendor-internal one, with a cost on each; milestones of
    20% (done) and 80%."""
    shared = line(project, pm, name="Moodle licences", planned_amount=Decimal("10000"))
    internal = line(project, pm, category="implementation", name="Unbilled consultant days",
                    planned_amount=Decimal("7000"), is_internal=True)  # fmt: skip
    entry(project, pm, shared, description="Licence invoice", amount=Decimal("4000"),
          date=D(2026, 9, 10))  # fmt: skip
    entry(project, pm, internal, description="Bench week", amount=Decimal("2500"),
          date=D(2026, 9, 20))  # fmt: skip
    for name, share, done in (("Kick-off", "20", D(2026, 9, 7)), ("Go-live", "80", None)):
        services.milestone_save(
            milestone=Milestone(project=project, name=name, planned_date=D(2026, 9, 7),
                                forecast_date=D(2026, 9, 7), actual_date=done,
                                budget_share=Decimal(share)),
            by=pm,
        )  # fmt: skip
    return SimpleNamespace(shared=shared, internal=internal)


def budget_page(client, project, user):
    client.force_login(user)
    response = client.get(reverse("projects:budget", args=[project.key]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_project_manager_sees_every_line_and_the_full_totals(client, project, pm, ledger):
    html = budget_page(client, project, pm)
    assert "Unbilled consultant days" in html and "Bench week" in html
    assert "vendor-internal" in html
    assert '<td data-label="Planned" class="number" id="total-planned">17,000.00</td>' in html
    assert '<td data-label="Spent to date" class="number" id="total-actual">6,500.00</td>' in html
    assert "3,400.00" in html  # EV: 20% of 17,000
    assert "<svg" in html and "6,500 EUR spent to date" in html


def test_the_spoc_sees_the_shared_budget_only(client, project, spoc, ledger):
    html = budget_page(client, project, spoc)
    assert "Moodle licences" in html and "Licence invoice" in html
    assert "Unbilled consultant days" not in html and "Bench week" not in html
    assert "vendor-internal" not in html and "Implementation services" not in html
    assert '<td data-label="Planned" class="number" id="total-planned">10,000.00</td>' in html
    assert '<td data-label="Spent to date" class="number" id="total-actual">4,000.00</td>' in html
    for total_with_internal in ("17,000", "6,500", "3,400"):
        assert total_with_internal not in html
    assert "2,000.00" in html  # EV: 20% of 10,000
    assert "Add a budget line" not in html and "Record a cost" not in html


def test_the_team_member_sees_internal_lines_but_changes_nothing(
    client, project, team_member, ledger
):
    html = budget_page(client, project, team_member)
    assert "Unbilled consultant days" in html and "17,000.00" in html
    assert "Add a budget line" not in html
    assert reverse("projects:budget_line_edit", args=[project.key, ledger.shared.pk]) not in html


@pytest.mark.parametrize(("who", "status"), [("stakeholder", 403), ("tester", 403),
                                             ("observer", 403), ("outsider", 404)])  # fmt: skip
def test_others_may_not_see_the_budget(client, project, persona, ledger, who, status):
    client.force_login(persona(who))
    response = client.get(reverse("projects:budget", args=[project.key]))
    assert response.status_code == status
    assert "Moodle licences" not in response.content.decode()


def test_an_internal_line_or_cost_is_not_found_for_the_spoc(client, project, spoc, ledger):
    client.force_login(spoc)
    internal_cost = CostEntry.objects.get(line=ledger.internal)
    for address in (
        reverse("projects:budget_line_edit", args=[project.key, ledger.internal.pk]),
        reverse("projects:cost_entry_edit", args=[project.key, internal_cost.pk]),
    ):
        assert client.get(address).status_code == 404
    # A shared one exists for the SPOC, who may still not change it.
    shared = reverse("projects:budget_line_edit", args=[project.key, ledger.shared.pk])
    assert client.get(shared).status_code == 403
    archive = reverse("projects:budget_line_archive", args=[project.key, ledger.internal.pk])
    assert client.post(archive).status_code == 404
    ledger.internal.refresh_from_db()
    assert ledger.internal.archived_at is None


def test_no_lines_shows_how_to_start(client, project, pm):
    html = budget_page(client, project, pm)
    assert "No budget lines yet" in html and "Add a budget line" in html
    assert "<svg" not in html


def test_the_manager_records_a_cost_in_another_currency(client, project, pm, ledger):
    client.force_login(pm)
    form = client.get(reverse("projects:cost_entry_add", args=[project.key])).content.decode()
    assert '<option value="EUR" selected>EUR</option>' in form
    response = client.post(
        reverse("projects:cost_entry_add", args=[project.key]),
        {
            "line": ledger.shared.pk,
            "date": "2026-10-01",
            "description": "US licence add-on",
            "amount": "1000.00",
            "currency": "USD",
            "rate_to_project": "0.925555",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Cost entry US licence add-on saved." in html and "925.56" in html
    saved = CostEntry.objects.get(description="US licence add-on")
    assert (saved.project_amount, saved.is_internal) == (Decimal("925.56"), False)


def test_a_bad_cost_is_refused_beside_its_field(client, project, pm, ledger):
    client.force_login(pm)
    response = client.post(
        reverse("projects:cost_entry_add", args=[project.key]),
        {"line": ledger.shared.pk, "date": "2026-10-01", "description": "Refund",
         "amount": "-10", "currency": "EUR", "rate_to_project": "1.5"},
    )  # fmt: skip
    html = response.content.decode()
    assert "cannot be negative" in html and "its rate is 1" in html
    assert not CostEntry.objects.filter(description="Refund").exists()


def test_the_cost_form_offers_only_this_projects_current_lines(client, project, pm, ledger):
    foreign = line(ProjectFactory(manager=pm), pm, name="Foreign line")
    services.budget_line_set_archived(line=ledger.internal, archived=True, by=pm)
    client.force_login(pm)
    html = client.get(reverse("projects:cost_entry_add", args=[project.key])).content.decode()
    assert "Moodle licences" in html
    assert "Foreign line" not in html and "Unbilled consultant days" not in html
    response = client.post(
        reverse("projects:cost_entry_add", args=[project.key]),
        {"line": foreign.pk, "date": "2026-10-01", "description": "X", "amount": "1",
         "currency": "EUR", "rate_to_project": "1"},
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    assert not CostEntry.objects.filter(description="X").exists()


def test_the_cost_forms_menu_shows_each_line_under_its_category(client, project, pm):
    hosting = line(project, pm, category="hosting", name="Annual fee")
    line(project, pm, category="licences", name="Annual fee")
    line(project, pm, category="licences", name="Add-on seats")
    client.force_login(pm)
    url = reverse("projects:cost_entry_add", args=[project.key])
    html = client.get(url).content.decode()
    menu = re.search(r'<select name="line".*?</select>', html, re.S)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', menu, re.S)
    # The categories in the order the budget page lists them, each line's name under its own.
    assert [(label, re.findall(r">([^<]+)</option>", options)) for label, options in groups] == [
        ("Licences", ["Add-on seats", "Annual fee"]),
        ("Hosting", ["Annual fee"]),
    ]
    fields = {"line": hosting.pk, "date": "2026-10-01", "description": "Fee", "amount": "-1",
              "currency": "EUR", "rate_to_project": "1"}  # fmt: skip
    refused = client.post(url, fields)
    assert f'<option value="{hosting.pk}" selected>Annual fee</option>' in refused.content.decode()


def test_the_manager_adds_a_rebilling_line_for_a_site(client, project, pm):
    site = SiteFactory(project=project, name="Brazil")
    client.force_login(pm)
    data = {"category": "internal_rebilling", "name": "Head-office rebilling",
            "planned_amount": "22000", "notes": ""}  # fmt: skip
    response = client.post(reverse("projects:budget_line_add", args=[project.key]), data)
    assert "charged to a site" in response.content.decode()
    response = client.post(
        reverse("projects:budget_line_add", args=[project.key]),
        {**data, "site": site.pk},
        follow=True,
    )
    assert "Budget line Head-office rebilling saved." in response.content.decode()
    assert budget.rebilling_by_site(project) == {site.pk: Decimal("22000.00")}


def test_archiving_a_line_keeps_it_and_takes_it_off_the_page(client, project, pm, ledger):
    client.force_login(pm)
    response = client.post(
        reverse("projects:budget_line_archive", args=[project.key, ledger.internal.pk]),
        follow=True,
    )
    html = response.content.decode()
    assert "archived" in html and "Bench week" not in html and "10,000.00" in html
    ledger.internal.refresh_from_db()
    assert ledger.internal.archived_at is not None


def test_the_demo_budgets_tell_their_story_once(db):
    from projects import demo
    from projects.models import Project

    demo.load()
    demo.load()  # a second run adds nothing
    northwind, brightwater = Project.objects.get(key="NWP"), Project.objects.get(key="BDG")
    assert northwind.budget_lines.count() == 8 and northwind.cost_entries.count() == 7
    assert sum(m.budget_share or 0 for m in northwind.milestones.all()) == 100
    for internal in (False, True):
        spend = budget.figures(northwind, internal=internal, today=TODAY)
        assert spend.actual > spend.planned_to_date and spend.cpi < Decimal("0.9")
    on_budget = budget.figures(brightwater, internal=True, today=TODAY)
    assert on_budget.actual <= on_budget.planned_to_date and on_budget.cpi >= 1
    brazil = northwind.sites.get(name="Brazil")
    assert budget.rebilling_by_site(northwind)[brazil.pk] > brazil.local_alternative_cost
    assert northwind.cost_entries.exclude(currency="EUR").exists()
    assert northwind.budget_lines.filter(is_internal=True).exists()


def _details(project, **changes):
    from projects.forms import ProjectEditForm

    form = ProjectEditForm(instance=project)
    data = {name: form[name].value() for name in form.fields}
    return {name: "" if value is None else value for name, value in {**data, **changes}.items()}


def test_the_currency_is_fixed_once_the_budget_has_lines(client, project, pm, ledger):
    client.force_login(pm)
    url = reverse("projects:edit", args=[project.key])
    response = client.post(url, _details(project, currency="USD", name="Renamed"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The budget is in EUR: its lines and costs would be read in the new currency" in html
    project.refresh_from_db()
    assert project.currency == "EUR" and project.name != "Renamed"  # nothing half-saved
    # Its other details still change.
    assert client.post(url, _details(project, name="Renamed")).status_code == 302


def test_the_currency_changes_while_the_budget_is_empty(client, project, pm):
    client.force_login(pm)
    url = reverse("projects:edit", args=[project.key])
    assert client.post(url, _details(project, currency="USD")).status_code == 302
    project.refresh_from_db()
    assert project.currency == "USD"
