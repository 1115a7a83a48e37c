"""The scale data set: a big vendor's whole estate, built with bulk inserts for benchmarks.

`build(scale=1.0)` writes 200 active and 800 archived projects, about 6,000 people (50 of them
on each project, as stakeholders and members), 5,000 requirements, 20,000 feedback items,
100,000 channel entries, 10,000 attachments' metadata and 1,000,000 history rows; `scale`
multiplies every count. One "whale" project holds a tenth of each kind of row; three more named
projects give the benchmarks fixed sizes to compare: TEN (10 rows of each kind), PEER (one full
page of each list and a full feedback board, like the whale's first page) and K1000 (up to
1,000 rows of each kind).

The data is the same on every run and every database: a fixed random seed, dates counted from
a fixed day, and timestamps set here rather than by the clock (`auto_now` is held off while
seeding). It lives here because `requirements` is the app that may import the other two.
"""

import datetime
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from projects.models import (
    BudgetCategory,
    BudgetLine,
    Client,
    CostEntry,
    Membership,
    Milestone,
    Project,
    ProjectGroupObjectPermission,
    ProjectStatus,
    Site,
)
from projects.roles import PERMISSIONS, ROLE_PERMISSIONS, VENDOR_ROLES, Role
from stakeholders.models import (
    Area,
    Assignment,
    Attachment,
    Department,
    Entry,
    EntryKind,
    PointOfContact,
    Raci,
    Side,
    Stakeholder,
)

from .models import (
    Feedback,
    FeedbackKind,
    FeedbackSeverity,
    FeedbackStatus,
    Goal,
    Kind,
    Priority,
    Requirement,
    RoundStatus,
    Status,
    TestRound,
)

SEED = 20261124
# Every date is counted from this day, so that two runs (or two databases) hold the same rows.
DAY_ZERO = datetime.date(2026, 11, 2)
MOMENT_ZERO = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
BATCH = 2000
EMAIL_DOMAIN = "scale.example"

# The numbers at scale 1.0.
FULL = {
    "active_projects": 200,
    "archived_projects": 800,
    "users": 6000,
    "requirements": 5000,
    "feedback": 20000,
    "entries": 100000,
    "attachments": 10000,
    "history": 1000000,
}
PEOPLE_PER_PROJECT = 50
# 50 people on a project: who does what.
ROLE_MIX = (
    [Role.PROJECT_MANAGER]
    + [Role.TEAM_MEMBER] * 4
    + [Role.SPOC]
    + [Role.STAKEHOLDER] * 24
    + [Role.TESTER] * 15
    + [Role.OBSERVER] * 5
)
WHALE_SHARE = Decimal("0.1")
WHALE, PEER, TEN, K1000 = "WHALE", "PEER", "TEN", "K1000"
# PEER fills the first page of each list the benchmark compares with the whale's, and every
# column of the feedback board: 12 cards in each of 7 statuses, drawn at random from 200 items.
PEER_ROWS = {"requirements": 60, "feedback": 200, "entries": 120}
TEN_ROWS = 10
K1000_ROWS = 1000


@dataclass(frozen=True)
class Plan:
    """How many rows of each kind a scale gives, and how they are shared out."""

    scale: float
    counts: dict[str, int]

    @classmethod
    def for_scale(cls, scale: float) -> "Plan":
        if scale <= 0:
            raise ValueError("The scale is a positive number, e.g. 1.0 or 0.01.")
        counts = {name: round(full * scale) for name, full in FULL.items()}
        # Room for the four named projects, and one project of each status besides them.
        counts["active_projects"] = max(counts["active_projects"], 5)
        counts["archived_projects"] = max(counts["archived_projects"], 1)
        counts["users"] = max(counts["users"], PEOPLE_PER_PROJECT)
        return cls(scale=scale, counts=counts)

    @property
    def projects(self) -> int:
        return self.counts["active_projects"] + self.counts["archived_projects"]

    def shares(self, kind: str, keys: list[str]) -> dict[str, int]:
        """Rows of `kind` per project key: a tenth to the whale, fixed sizes to the named
        projects while there is room, the rest spread evenly over all the others."""
        total = self.counts[kind]
        whale = int(total * WHALE_SHARE)
        rest = total - whale
        fixed = {
            TEN: TEN_ROWS,
            PEER: PEER_ROWS.get(kind, TEN_ROWS),
            K1000: K1000_ROWS,
        }
        shares = {WHALE: whale}
        for key, wanted in fixed.items():
            # Never more than a quarter of what is left, so small scales stay proportional.
            shares[key] = min(wanted, rest // 4)
        others = [key for key in keys if key not in shares]
        left = rest - sum(shares[key] for key in fixed)
        for index, key in enumerate(others):
            shares[key] = left // len(others) + (1 if index < left % len(others) else 0)
        return shares


def project_keys(plan: Plan) -> list[str]:
    """The whale and the named projects first, then the other active ones, then the archived."""
    named = [WHALE, PEER, TEN, K1000]
    active = [f"A{n:04d}" for n in range(plan.counts["active_projects"] - len(named))]
    archived = [f"Z{n:04d}" for n in range(plan.counts["archived_projects"])]
    return named + active + archived


@contextmanager
def _clock_held(*model_classes) -> Iterator[None]:
    """Let the seed set created_at / updated_at itself: `auto_now(_add)` would stamp every
    row with the time of the run, and two runs would differ."""
    fields = [
        field
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _insert(model, rows: list, *, batch: int = BATCH) -> list:
    """Bulk insert that gives back the rows with their primary keys on both databases."""
    created = []
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        model.objects.bulk_create(chunk)
        if chunk and chunk[0].pk is None:  # SQLite before 3.35 returns no ids
            raise RuntimeError(f"{model.__name__}: the database returned no primary keys.")
        created.extend(chunk)
    return created


def _history(model, objects: list, *, kind: str, when: Callable, user_id) -> int:
    """History rows for `objects`, each dated by `when(obj)`. A million model instances
    through `bulk_create` take minutes, so the rows go in as tuples, each value prepared by its
    field as `bulk_create` would, and an object listed several times in a row (its later
    changes) is prepared once. PostgreSQL takes them by COPY, SQLite by one prepared INSERT."""
    historical = model.history.model
    tracked = historical.tracked_fields
    fields = [field for field in historical._meta.concrete_fields if not field.primary_key]
    rows, last, values = [], None, ()
    for obj in objects:
        if obj is not last:
            last = obj
            record = historical(
                history_date=when(obj),
                history_user_id=user_id(obj) if callable(user_id) else user_id,
                history_change_reason="",
                history_type=kind,
                **{field.attname: getattr(obj, field.attname) for field in tracked},
            )
            values = tuple(
                field.get_db_prep_save(field.pre_save(record, True), connection) for field in fields
            )
        rows.append(values)
    quote = connection.ops.quote_name
    table = quote(historical._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - quoted model names
            cursor.executemany(insert, rows)
    return len(rows)


SEEDED_MODELS = (
    get_user_model(), Client, Project, Site, Membership, Milestone, BudgetLine, CostEntry,
    Stakeholder, Assignment, PointOfContact, Entry, Attachment, Goal, Requirement, TestRound,
    Feedback,
)  # fmt: skip


def build(*, scale: float = 1.0, report: Callable[[str], None] = lambda line: None) -> dict:
    """Write the data set into an empty database; returns the number of rows of each kind."""
    plan = Plan.for_scale(scale)
    if Project.objects.filter(key=WHALE).exists():
        raise ValueError("This database already holds the scale data set.")
    with transaction.atomic(), _clock_held(*SEEDED_MODELS):
        counts = _Builder(plan, report).run()
    # A database in use has been vacuumed and analysed by autovacuum; a bulk load has not, until
    # autovacuum gets round to it. Without statistics PostgreSQL plans for empty tables, and
    # without the visibility map it cannot count from an index alone.
    # (VACUUM cannot run in a transaction, as in a test.)
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return counts


class _Builder:
    def __init__(self, plan: Plan, report: Callable[[str], None]):
        self.plan = plan
        self.report = report
        self.random = random.Random(SEED)  # noqa: S311 - repeatable data, not secrets
        self.counts: dict[str, int] = {}
        self.history_rows = 0

    def moment(self, days: float) -> datetime.datetime:
        return MOMENT_ZERO + datetime.timedelta(days=days)

    def run(self) -> dict:
        steps = [
            self.people, self.projects, self.access, self.plans, self.stakeholders,
            self.requirements, self.feedback, self.channel, self.more_history,
        ]  # fmt: skip
        for step in steps:
            step()
            self.report(f"  {step.__name__:<14} done")
        self.counts["history"] = self.history_rows
        return self.counts

    # People and projects

    def people(self) -> None:
        User = get_user_model()
        users = [
            User(
                email=f"person{n:05d}@{EMAIL_DOMAIN}",
                first_name=f"Person{n:05d}",
                last_name=self.random.choice(("Martin", "Okafor", "Silva", "Nguyen", "Berg")),
                # No usable password: the benchmark signs in through a session it creates.
                password=UNUSABLE_PASSWORD_PREFIX,
                date_joined=self.moment(-400),
            )
            for n in range(self.plan.counts["users"])
        ]
        self.users = _insert(User, users)
        # The lead manages every active project: the portfolio shows all of them to one person.
        self.lead = self.users[0]
        self.counts["users"] = len(self.users)

    def projects(self) -> None:
        keys = project_keys(self.plan)
        clients = _insert(
            Client,
            [
                Client(
                    name=f"Client {n:04d}",
                    headcount=self.random.choice((250, 800, 4000, 25000)),
                    countries="France, Germany",
                    industry="Retail",
                    created_at=self.moment(-500),
                )
                for n in range(max(1, len(keys) // 5))
            ],
        )
        active = self.plan.counts["active_projects"]
        projects = []
        for index, key in enumerate(keys):
            start = DAY_ZERO - datetime.timedelta(days=self.random.randint(30, 400))
            projects.append(
                Project(
                    client=clients[index % len(clients)],
                    name=f"Rollout {key}",
                    key=key,
                    lms_product="Moodle Workplace",
                    deployment_model="saas",
                    start_date=start,
                    target_go_live=start + datetime.timedelta(days=self.random.randint(120, 500)),
                    programme_end=start + datetime.timedelta(days=1500),
                    hosting_term_end=start + datetime.timedelta(days=1200),
                    currency="EUR",
                    status=ProjectStatus.ACTIVE if index < active else ProjectStatus.ARCHIVED,
                    created_at=self.moment(-(DAY_ZERO - start).days),
                )
            )
        self.projects_by_key = {p.key: p for p in _insert(Project, projects)}
        self.project_list = list(self.projects_by_key.values())
        self.sites = {}
        sites = []
        for index, project in enumerate(self.project_list):
            for name in ("France", "Germany", "Spain")[: 1 + index % 3]:
                sites.append(
                    Site(
                        project=project,
                        name=name,
                        local_go_live=project.target_go_live,
                        content_qc_target_days=10,
                        local_alternative_cost=Decimal("40000.00"),
                        created_at=project.created_at,
                    )
                )
        for site in _insert(Site, sites):
            self.sites.setdefault(site.project_id, []).append(site)
        self.counts["projects"] = len(self.project_list)
        self.history_rows += _history(
            Project, self.project_list, kind="+", when=lambda p: p.created_at, user_id=None
        )

    def access(self) -> None:
        """Role groups with their object permissions, 50 members per project, and each member
        in the group of their role: what `projects.services` sets up one project at a time."""
        content_type = ContentType.objects.get_for_model(Project)
        permission_ids = dict(
            Permission.objects.filter(
                content_type=content_type, codename__in=PERMISSIONS
            ).values_list("codename", "pk")
        )
        groups = _insert(
            Group,
            [Group(name=f"project:{p.pk}:{role}") for p in self.project_list for role in Role],
        )
        group_of = {}
        grants = []
        for group in groups:
            _prefix, project_id, role = group.name.split(":")
            group_of[int(project_id), role] = group
            grants.extend(
                ProjectGroupObjectPermission(
                    group=group, content_object_id=int(project_id), permission_id=permission_ids[c]
                )
                for c in sorted(ROLE_PERMISSIONS[role])
            )
        _insert(ProjectGroupObjectPermission, grants)
        self.members = {}  # project id -> [(user, role)]
        memberships, in_groups = [], []
        through = get_user_model().groups.through
        active_ids = {
            p.pk for p in self.project_list if p.status == ProjectStatus.ACTIVE
        }  # fmt: skip
        for project in self.project_list:
            crowd = self.random.sample(self.users[1:], PEOPLE_PER_PROJECT)
            if project.pk in active_ids:
                crowd[0] = self.lead
            cast = list(zip(crowd, ROLE_MIX, strict=True))
            self.members[project.pk] = cast
            for user, role in cast:
                memberships.append(
                    Membership(project=project, user=user, role=role, created_at=project.created_at)
                )
                in_groups.append(through(user_id=user.pk, group_id=group_of[project.pk, role].pk))
        memberships = _insert(Membership, memberships)
        _insert(through, in_groups)
        self.counts["memberships"] = len(memberships)
        self.history_rows += _history(
            Membership, memberships, kind="+", when=lambda m: m.created_at, user_id=None
        )

    def plans(self) -> None:
        milestones, lines, goals, rounds = [], [], [], []
        for project in self.project_list:
            sites = self.sites[project.pk]
            pm = self.members[project.pk][0][0]
            for step, name in enumerate(("Kick-off", "Design", "Build", "UAT", "Go-live")):
                planned = project.start_date + datetime.timedelta(days=60 * step)
                milestones.append(
                    Milestone(
                        project=project,
                        name=name,
                        planned_date=planned,
                        forecast_date=planned + datetime.timedelta(days=self.random.randint(0, 20)),
                        actual_date=planned if planned < DAY_ZERO else None,
                        owner=pm,
                        budget_share=Decimal(20),
                        is_go_live=name == "Go-live",
                        created_at=project.created_at,
                    )
                )
            for category in (
                BudgetCategory.LICENCES,
                BudgetCategory.IMPLEMENTATION,
                BudgetCategory.CONTENT,
                BudgetCategory.HOSTING,
            ):
                lines.append(
                    BudgetLine(
                        project=project,
                        category=category,
                        name=category.label,
                        planned_amount=Decimal(self.random.randint(10, 90) * 1000),
                        created_at=project.created_at,
                    )
                )
            goals.append(
                Goal(
                    project=project,
                    title="Certify every sales person on the new range",
                    target="95% by go-live",
                    tactics=["blended", "mobile"],
                    solutions=["lms"],
                    created_at=project.created_at,
                )
            )
            rounds.append(
                TestRound(
                    project=project,
                    name="UAT 1",
                    site=sites[0],
                    starts_on=DAY_ZERO - datetime.timedelta(days=20),
                    ends_on=DAY_ZERO + datetime.timedelta(days=20),
                    build="1.0",
                    status=RoundStatus.OPEN,
                    created_at=project.created_at,
                )
            )
        milestones = _insert(Milestone, milestones)
        lines = _insert(BudgetLine, lines)
        costs = [
            CostEntry(
                project_id=line.project_id,
                line=line,
                date=DAY_ZERO - datetime.timedelta(days=self.random.randint(1, 200)),
                description=f"Invoice {n}",
                amount=Decimal(self.random.randint(500, 9000)),
                currency="EUR",
                created_at=line.created_at,
            )
            for line in lines
            for n in range(3)
        ]
        costs = _insert(CostEntry, costs)
        self.goals = {g.project_id: g for g in _insert(Goal, goals)}
        self.rounds = {r.project_id: r for r in _insert(TestRound, rounds)}
        for model, rows in (
            (Milestone, milestones),
            (BudgetLine, lines),
            (CostEntry, costs),
            (Goal, list(self.goals.values())),
            (TestRound, list(self.rounds.values())),
        ):
            self.history_rows += _history(
                model, rows, kind="+", when=lambda obj: obj.created_at, user_id=None
            )
        self.counts["milestones"] = len(milestones)
        self.counts["cost_entries"] = len(costs)

    def stakeholders(self) -> None:
        rows = []
        departments = [d for d in Department.values if d != Department.DELIVERY]
        for project in self.project_list:
            sites = self.sites[project.pk]
            for n, (user, role) in enumerate(self.members[project.pk]):
                vendor = role in VENDOR_ROLES
                rows.append(
                    Stakeholder(
                        project=project,
                        name=f"{user.first_name} {user.last_name}",
                        email=user.email,
                        side=Side.VENDOR if vendor else Side.CLIENT,
                        department=Department.DELIVERY if vendor else departments[n % 8],
                        title=role.label,
                        site=sites[n % len(sites)] if n % 3 else None,
                        user=user,
                        created_at=project.created_at,
                    )
                )
        everyone = _insert(Stakeholder, rows)
        self.people_of = {}
        for person in everyone:
            self.people_of.setdefault(person.project_id, []).append(person)
        assignments, contacts = [], []
        for project in self.project_list:
            people = self.people_of[project.pk]
            client_side = [p for p in people if p.side == Side.CLIENT]
            for n, area in enumerate(a for a in Area.values if a != Area.LOCAL_ROLLOUT):
                for offset, letter in enumerate(Raci.values):
                    person = client_side[(n * 4 + offset) % len(client_side)]
                    assignments.append(
                        Assignment(project=project, area=area, stakeholder=person, letter=letter)
                    )
            spoc = next(p for p, (_u, role) in zip(people, self.members[project.pk], strict=True)
                        if role == Role.SPOC)  # fmt: skip
            contacts.append(
                PointOfContact(
                    project=project,
                    side=Side.CLIENT,
                    stakeholder=spoc,
                    started_on=project.start_date,
                    named_by=self.members[project.pk][0][0],
                    created_at=project.created_at,
                )
            )
        assignments = _insert(Assignment, assignments)
        _insert(PointOfContact, contacts)
        self.history_rows += _history(
            Stakeholder, everyone, kind="+", when=lambda s: s.created_at, user_id=None
        )
        self.history_rows += _history(
            Assignment, assignments, kind="+", when=lambda a: MOMENT_ZERO, user_id=None
        )
        self.counts["stakeholders"] = len(everyone)

    # The three big kinds

    def _shares(self, kind: str) -> dict[int, int]:
        keys = list(self.projects_by_key)
        return {
            self.projects_by_key[key].pk: count
            for key, count in self.plan.shares(kind, keys).items()
        }

    def _role(self, project_id: int, wanted: str) -> list:
        return [user for user, role in self.members[project_id] if role == wanted]

    def requirements(self) -> None:
        rows = []
        statuses, priorities = Status.values, Priority.values
        areas = [a for a in Area.values if a != Area.LOCAL_ROLLOUT]
        for project_id, count in self._shares("requirements").items():
            people = self.people_of[project_id]
            sites = self.sites[project_id]
            pm = self.members[project_id][0][0]
            for number in range(1, count + 1):
                created = self.moment(-self.random.randint(1, 300))
                rows.append(
                    Requirement(
                        project_id=project_id,
                        number=number,
                        title=f"Requirement {number}: learners see their due courses",
                        description="Learners see what is due **this week** on the home page.",
                        description_html="<p>Learners see what is due <strong>this week</strong>"
                        " on the home page.</p>",
                        submitter=people[number % len(people)],
                        area=areas[number % len(areas)],
                        site=sites[number % len(sites)] if number % 4 == 0 else None,
                        goal=self.goals[project_id] if number % 5 else None,
                        priority=priorities[number % len(priorities)],
                        kind=self.random.choice(Kind.values),
                        acceptance_criteria="Shows due courses\nSorted by due date",
                        status=statuses[self.random.randrange(len(statuses))],
                        created_by=pm,
                        created_at=created,
                        updated_at=created,
                    )
                )
        self.requirement_list = _insert(Requirement, rows)
        self.counts["requirements"] = len(self.requirement_list)
        self.history_rows += _history(
            Requirement,
            self.requirement_list,
            kind="+",
            when=lambda r: r.created_at,
            user_id=lambda r: r.created_by_id,
        )

    def feedback(self) -> None:
        rows = []
        by_project = {}
        for requirement in self.requirement_list:
            by_project.setdefault(requirement.project_id, []).append(requirement)
        for project_id, count in self._shares("feedback").items():
            testers = self._role(project_id, Role.TESTER)
            requirements = by_project.get(project_id, [])
            for number in range(1, count + 1):
                created = self.moment(-self.random.randint(1, 60))
                rows.append(
                    Feedback(
                        project_id=project_id,
                        number=number,
                        round=self.rounds[project_id],
                        tester=testers[number % len(testers)],
                        requirement=requirements[number % len(requirements)]
                        if requirements and number % 3
                        else None,
                        title=f"Feedback {number}: the course player stalls on video",
                        steps="Open a course\nPlay the video",
                        expected="It plays",
                        actual="It stalls after ten seconds",
                        kind=self.random.choice(FeedbackKind.values),
                        severity=self.random.choice(FeedbackSeverity.values),
                        status=self.random.choice(
                            [s for s in FeedbackStatus.values if s != FeedbackStatus.DUPLICATE]
                        ),
                        browser="Firefox 140",
                        os="Windows 11",
                        device="desktop",
                        created_at=created,
                        updated_at=created,
                    )
                )
        self.feedback_list = _insert(Feedback, rows)
        self.counts["feedback"] = len(self.feedback_list)
        self.history_rows += _history(
            Feedback,
            self.feedback_list,
            kind="+",
            when=lambda f: f.created_at,
            user_id=lambda f: f.tester_id,
        )

    def channel(self) -> None:
        rows = []
        kinds = [k for k in EntryKind.values if k != EntryKind.EMAIL]
        for project_id, count in self._shares("entries").items():
            cast = self.members[project_id]
            for n in range(count):
                user, role = cast[n % len(cast)]
                rows.append(
                    Entry(
                        project_id=project_id,
                        kind=kinds[n % len(kinds)],
                        author=user,
                        author_side=Side.VENDOR if role in VENDOR_ROLES else Side.CLIENT,
                        subject=f"Note {n} on the rollout plan",
                        body="We agreed on the *pilot group* for France.",
                        body_html="<p>We agreed on the <em>pilot group</em> for France.</p>",
                        excerpt_html="<p>We agreed on the <em>pilot group</em> for France.</p>",
                        created_at=self.moment(-self.random.randint(0, 400 * 24) / 24),
                    )
                )
        entries = _insert(Entry, rows)
        self.counts["entries"] = len(entries)
        self.history_rows += _history(
            Entry, entries, kind="+", when=lambda e: e.created_at, user_id=lambda e: e.author_id
        )
        wanted = self.plan.counts["attachments"]
        step = max(1, len(entries) // wanted) if wanted else 0
        attachments = [
            Attachment(
                entry=entry,
                name=f"minutes-{number}.pdf",
                size=20_000 + number * 37 % 50_000,
                content_type="application/pdf",
                file=f"attachments/{entry.project_id}/minutes-{entry.pk}.pdf",
                created_at=entry.created_at,
            )
            for number, entry in enumerate(entries[::step][:wanted] if wanted else [])
        ]
        self.counts["attachments"] = len(_insert(Attachment, attachments))

    def more_history(self) -> None:
        """The rest of the history: status changes of requirements and feedback, spread over
        them the way their count is (so the whale holds a tenth of these too)."""
        left = self.plan.counts["history"] - self.history_rows
        items = [(Requirement, r) for r in self.requirement_list] + [
            (Feedback, f) for f in self.feedback_list
        ]
        if left <= 0 or not items:
            return
        per_item, extra = divmod(left, len(items))
        for model in (Requirement, Feedback):
            mine = [(i, obj) for i, (m, obj) in enumerate(items) if m is model]
            repeated = [
                obj for i, obj in mine for _n in range(per_item + (1 if i < extra else 0))
            ]  # fmt: skip
            self.history_rows += _history(
                model,
                repeated,
                kind="~",
                when=lambda obj: obj.created_at + datetime.timedelta(hours=1),
                user_id=lambda obj: (
                    getattr(obj, "created_by_id", None) or getattr(obj, "tester_id", None)
                ),
            )


def expected_counts(scale: float) -> dict[str, int]:
    """What `build(scale=…)` writes of the issue's kinds, to tell whether a database holds it."""
    plan = Plan.for_scale(scale)
    return {
        "projects": plan.projects,
        "requirements": plan.counts["requirements"],
        "feedback": plan.counts["feedback"],
        "entries": plan.counts["entries"],
        "peer feedback": plan.shares("feedback", project_keys(plan))[PEER],
    }


def fingerprint() -> str:
    """A digest of the seeded rows' content (not their ids), to show two runs are the same."""
    import hashlib

    digest = hashlib.sha256()
    for queryset in (
        Project.objects.order_by("key").values_list("key", "status", "start_date", "created_at"),
        Site.objects.order_by("project__key", "name").values_list("project__key", "name"),
        Attachment.objects.order_by("entry__project__key", "name").values_list(
            "entry__project__key", "name", "size"
        ),
        Membership.objects.order_by("project__key", "user__email").values_list(
            "project__key", "user__email", "role"
        ),
        Requirement.objects.order_by("project__key", "number").values_list(
            "project__key", "number", "status", "priority", "kind", "site__name", "created_at"
        ),
        Feedback.objects.order_by("project__key", "number").values_list(
            "project__key", "number", "status", "severity", "tester__email", "created_at"
        ),
        Entry.objects.order_by("project__key", "created_at", "subject").values_list(
            "project__key", "kind", "author__email", "subject", "created_at"
        ),
        Requirement.history.order_by(
            "project__key", "number", "history_date", "history_type"
        ).values_list("project__key", "number", "history_type", "history_date", "status"),
    ):
        for row in queryset.iterator(chunk_size=5000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def have(scale: float) -> bool:
    """Whether this database holds the data set of this scale (and nothing else of its kind),
    so that a benchmark can keep it between runs."""
    expected = expected_counts(scale)
    return (
        Project.objects.filter(key=WHALE).exists()
        and {
            "projects": Project.objects.count(),
            "requirements": Requirement.objects.count(),
            "feedback": Feedback.objects.count(),
            "entries": Entry.objects.count(),
            "peer feedback": Feedback.objects.filter(project__key=PEER).count(),
        }
        == expected
    )
