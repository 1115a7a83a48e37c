"""The demo's goals and requirements: every status, each reached through the workflow so that
its history reads like the real thing."""

from datetime import date
from decimal import Decimal

from projects.access import project_permissions
from projects.models import Project

from . import services
from .models import (
    ChangeKind,
    ChangeRequest,
    Feedback,
    FeedbackStatus,
    Goal,
    Requirement,
    RoundStatus,
    Solution,
    Tactic,
    TestRound,
)

GOALS = [
    ("Every sales rep certified on the 2027 product range before launch",
     "95% of 2,400 sales staff certified by 30 June 2027",
     [Tactic.BLENDED, Tactic.MOBILE, Tactic.CERTIFICATION], [Solution.LMS, Solution.REPORTING]),
    ("Cut onboarding time for new hires",
     "Time to productivity from 10 to 6 weeks",
     [Tactic.SELF_PACED, Tactic.SOCIAL], [Solution.LMS, Solution.HRIS, Solution.SSO]),
    ("Pass the 2027 GxP compliance audit",
     "100% of regulated staff with current SOP training at audit date",
     [Tactic.CERTIFICATION, Tactic.MICROLEARNING], [Solution.LMS, Solution.REPORTING]),
]  # fmt: skip

# title, goal index (None: traces to no goal), priority, area, site name, target status, author
REQUIREMENTS = [
    ("Single sign-on with the corporate identity provider", 1, "must", "integrations", None, "verified", "spoc"),
    ("Nightly learner import from Workday", 1, "must", "integrations", None, "delivered", "spoc"),
    ("Certification path per product family", 0, "must", "configuration", None, "in_progress", "spoc"),
    ("Mobile app access to certification modules", 0, "should", "configuration", None, "accepted", "spoc"),
    ("Manager dashboard of team completion", 0, "must", "configuration", None, "accepted", "spoc"),
    ("Audit-ready SOP training report", 2, "must", "configuration", None, "in_progress", "spoc"),
    ("Electronic signature on SOP acknowledgement", 2, "must", "configuration", None, "endorsed", "spoc"),
    ("French onboarding path available on day one", 1, "must", "content", "France", "endorsed", "stakeholder"),
    ("Portuguese voice-over for sales modules", 0, "should", "content", "Brazil", "submitted", "stakeholder"),
    ("German works-council approval of learner data fields", None, "must", "local_rollout", "Germany", "returned", "juergen"),
    ("Leaderboard of top learners per region", None, "could", "configuration", None, "declined", "stakeholder"),
    ("Gamification badges for certification", 0, "could", "configuration", None, "withdrawn", "stakeholder"),
    ("Virtual classroom integration for product launches", 0, "should", "integrations", None, "submitted", "spoc"),
    ("Brazilian tax-training catalogue", None, "should", "content", "Brazil", "submitted", "stakeholder"),
    ("Reminder e-mails before certificates expire", 2, "must", "configuration", None, "delivered", "spoc"),
    ("Peer discussion space per onboarding cohort", 1, "could", "configuration", None, "submitted", "stakeholder"),
    ("Offline playback of videos on sales tablets", 0, "should", "configuration", None, "in_progress", "spoc"),
    ("Accessibility (WCAG 2.1 AA) of the learner portal", None, "must", "platform", None, "accepted", "spoc"),
    ("Data retention of 10 years for GxP training records", 2, "must", "platform", None, "verified", "spoc"),
    ("Branded login page per country", None, "won't", "configuration", None, "declined", "stakeholder"),
]  # fmt: skip

# Local needs each country site raises: with three sites, the demo reaches about sixty.
LOCAL = [
    ("{language} translation of the learner portal", "must", "local_rollout", 1),
    ("{site} public holidays in reminder schedules", "should", "configuration", None),
    ("Local HR data fields for {site} audiences", "must", "integrations", 1),
    ("{site} works-council sign-off on learner tracking", "must", "local_rollout", None),
    ("{language} subtitles on compliance videos", "should", "content", 2),
    ("Local trainer accounts for {site} classrooms", "could", "configuration", 0),
    ("{site} certificate template with local logo", "could", "configuration", 0),
    ("Data residency statement for {site}", "must", "platform", 2),
    ("{site} manager reports in local time zone", "should", "configuration", 0),
    ("{language} help-desk contact in the portal footer", "could", "communication", None),
    ("{site} launch campaign e-mails", "should", "communication", 1),
    ("Offline classroom attendance import for {site}", "should", "integrations", 0),
    ("{site} pilot group of 50 learners", "must", "uat", 1),
    ("{language} keyboard shortcuts documented", "wont", "content", None),
]
LANGUAGES = {"Germany": "German", "France": "French", "Brazil": "Portuguese"}
AUTHORS = {"Germany": "juergen", "France": "stakeholder", "Brazil": "spoc"}

PATHS = {
    "submitted": [],
    "returned": [("returned", "Which fields exactly? Please list them with the works council.")],
    "endorsed": [("endorsed", "")],
    "declined": [("endorsed", ""), ("declined", "Out of the contracted scope; see the change process.")],
    "withdrawn": [("withdrawn", "Superseded by the certification path.")],
    "accepted": [("endorsed", ""), ("accepted", "")],
    "in_progress": [("endorsed", ""), ("accepted", ""), ("in_progress", "")],
    "delivered": [("endorsed", ""), ("accepted", ""), ("in_progress", ""), ("delivered", "")],
    "verified": [("endorsed", ""), ("accepted", ""), ("in_progress", ""), ("delivered", ""), ("verified", "")],
}  # fmt: skip

ACTOR = {"endorsed": "spoc", "returned": "spoc", "withdrawn": "spoc", "verified": "spoc",
         "accepted": "pm", "declined": "pm", "in_progress": "team", "delivered": "team"}  # fmt: skip

EMAILS = {"spoc": "spoc@northwind.example", "stakeholder": "stakeholder@northwind.example",
          "juergen": "juergen@northwind.example", "pm": "pm@liaison.example",
          "team": "team@liaison.example"}  # fmt: skip


def load(people) -> None:
    nwp = Project.objects.get(key="NWP")
    if nwp.goals.exists():
        return
    pm = people[EMAILS["pm"]]
    goals = [
        services.goal_save(
            goal=Goal(project=nwp, title=t, target=target, tactics=list(what), solutions=list(how)),
            by=pm,
        )
        for t, target, what, how in GOALS
    ]
    sites = {site.name: site for site in nwp.sites.all()}
    stakeholders = {s.user_id: s for s in nwp.stakeholders.exclude(user=None)}
    for title, goal, priority, area, site, status, author in REQUIREMENTS:
        _requirement(
            nwp,
            people,
            stakeholders,
            goals,
            sites,
            title=title,
            goal=goal,
            priority=priority.replace("won't", "wont"),
            area=area,
            site=site,
            status=status,
            author=author,
        )
    statuses = list(PATHS)
    for n, (site_name, (template, priority, area, goal)) in enumerate(
        (site, need) for site in LANGUAGES for need in LOCAL
    ):
        author = AUTHORS[site_name]
        _requirement(
            nwp,
            people,
            stakeholders,
            goals,
            sites,
            title=template.format(site=site_name, language=LANGUAGES[site_name]),
            goal=goal,
            priority=priority,
            area=area,
            site=site_name,
            status=statuses[n % len(statuses)],
            author=author,
        )
    _change_control(nwp, people)


def _requirement(
    project,
    people,
    stakeholders,
    goals,
    sites,
    *,
    title,
    goal,
    priority,
    area,
    site,
    status,
    author,
) -> None:
    """Submit as the author, then walk the workflow to `status` as the people who decide."""
    user = people[EMAILS[author]]
    submitter = stakeholders.get(user.pk)
    requirement = services.requirement_submit(
        requirement=Requirement(
            project=project,
            title=title,
            priority=priority,
            area=area,
            site=sites.get(site),
            goal=goals[goal] if goal is not None else None,
            submitter=submitter,
            description=f"Requested by {submitter.name if submitter else user}.",
            acceptance_criteria="Works for every learner in scope\nShown in the monthly report",
        ),
        by=user,
    )
    for target, reason in PATHS[status]:
        actor = people[EMAILS[ACTOR[target]]]
        services.requirement_transition(
            requirement=requirement,
            to=target,
            perms=project_permissions(actor, project),
            by=actor,
            reason=reason,
        )


def _change_control(project, people) -> None:
    """A baseline, a change request waiting for the project manager, and an open conflict."""
    pm, spoc, marc = (people[EMAILS[who]] for who in ("pm", "spoc", "stakeholder"))
    services.baseline_create(
        project=project, note="Signed off at the October steering committee", by=pm
    )
    mobile = project.requirements.get(title__startswith="Mobile app access")
    change = services.change_request_raise(
        change=ChangeRequest(
            requirement=mobile,
            kind=ChangeKind.CHANGE,
            proposed_priority="must",
            description="Field sales certify on tablets: without the app they cannot finish before launch.",
            impact_timeline="Two weeks on the France go-live",
            impact_budget=Decimal("6800.00"),
        ),
        by=spoc,
    )
    services.change_request_approve(
        change=change, perms=project_permissions(spoc, project), by=spoc
    )
    global_path = project.requirements.get(title__startswith="Certification path")
    marc_entry = project.stakeholders.get(user=marc)
    regional = services.requirement_submit(
        requirement=Requirement(
            project=project,
            title="Separate certification paths per country",
            priority="should",
            area="configuration",
            site=project.sites.get(name="France"),
            submitter=marc_entry,
            goal=global_path.goal,
            description="France wants its own paths, built and approved locally.",
        ),
        by=marc,
    )
    services.conflict_raise(
        first=global_path,
        second=regional,
        by=pm,
        note="Global L&D wants one path per product family for every country; France wants "
        "country paths. Both cannot be built for the first go-live.",
    )


# User acceptance testing: two rounds and about 150 items of feedback in every status and
# severity, each logged by its tester and moved by the people who decide, through the services.

TESTERS = {
    "ana": "tester@northwind.example",
    "lukas": "lukas@northwind.example",
    "camille": "camille@northwind.example",
    "rafael": "rafael@northwind.example",
}

# what happened, kind, the page or feature it concerns
PROBLEMS = [
    ("Video stops after ten seconds", "defect", "the product launch course"),
    ("Certificate shows the wrong date format", "content", "the certificate download"),
    ("Page takes over 8 seconds to open", "performance", "the learner dashboard"),
    ("Button label is cut off", "usability", "the mobile course menu"),
    ("Search finds nothing for accented words", "defect", "the course catalogue"),
    ("Quiz result is not saved", "defect", "the SOP acknowledgement quiz"),
    ("Manager cannot see the team's progress", "defect", "the manager dashboard"),
    ("Translation missing on the next-step button", "content", "the onboarding path"),
    ("Add a filter by due date", "suggestion", "the learner's to-do list"),
    ("Login loops back to the sign-in page", "defect", "single sign-on"),
    ("Text too small to read on a phone", "usability", "the course player"),
    ("Report export times out", "performance", "the audit report"),
    ("Reminder e-mail links to the wrong course", "defect", "the expiry reminders"),
    ("Logo blurry on the login page", "usability", "the branded login page"),
    ("Progress bar stays at 0%", "defect", "the certification path"),
]
SEVERITIES = ["blocker", "major", "major", "minor", "minor", "minor", "cosmetic"]
F = FeedbackStatus
# status -> the moves that reach it: (target, who: "vendor" or "tester", reason)
FEEDBACK_PATHS = {
    F.NEW: [],
    F.TRIAGED: [(F.TRIAGED, "vendor", "")],
    F.FIXING: [(F.FIXING, "vendor", "")],
    F.FIXED: [(F.FIXING, "vendor", ""), (F.FIXED, "vendor", "")],
    F.VERIFIED: [(F.FIXING, "vendor", ""), (F.FIXED, "vendor", ""), (F.VERIFIED, "tester", "")],
    F.CLOSED: [(F.FIXING, "vendor", ""), (F.FIXED, "vendor", ""), (F.VERIFIED, "tester", ""),
               (F.CLOSED, "vendor", "")],
    F.WONT_FIX: [(F.WONT_FIX, "vendor", "Works as configured for the contract; see the baseline.")],
    F.DUPLICATE: [(F.DUPLICATE, "vendor", "")],
    # Fixed once, not fixed for the tester: back to work with their comment.
    "reopened": [(F.FIXING, "vendor", ""), (F.FIXED, "vendor", ""),
                 (F.FIXING, "tester", "Still happens on my tablet after the update.")],
}  # fmt: skip
FEEDBACK_STATUSES = list(FEEDBACK_PATHS)


def load_testing(people) -> None:
    nwp = Project.objects.get(key="NWP")
    if nwp.test_rounds.exists() or not nwp.requirements.exists():
        return
    pm, team = people[EMAILS["pm"]], people[EMAILS["team"]]
    testers = [people[email] for email in TESTERS.values()]
    germany = nwp.sites.get(name="Germany")
    in_scope = list(nwp.requirements.exclude(status__in=("declined", "withdrawn")))
    first = _round(
        nwp, pm, name="UAT round 1: Germany", site=germany, build="4.5.1",
        dates=(date(2026, 10, 19), date(2026, 10, 30)),
        requirements=[r for r in in_scope if r.site_id in (None, germany.pk)],
        testers=testers[:2],
    )  # fmt: skip
    second = _round(
        nwp, pm, name="UAT round 2: all sites", site=None, build="4.6.0",
        dates=(date(2026, 11, 16), date(2026, 12, 4)), requirements=in_scope, testers=testers,
    )  # fmt: skip
    logged = []
    for n in range(150):
        test_round = first if n < 60 else second
        tester = test_round.testers.order_by("pk")[n % test_round.testers.count()]
        title, kind, where = PROBLEMS[n % len(PROBLEMS)]
        scope = list(test_round.requirements.all()[:40])
        item = services.feedback_log(
            feedback=Feedback(
                round=test_round, title=f"{title} ({where})", kind=kind,
                severity=SEVERITIES[n % len(SEVERITIES)],
                requirement=scope[n % len(scope)] if n % 3 else None,
                steps=f"1. Sign in\n2. Open {where}\n3. Try it as a learner",
                expected="It works as described in the requirement.",
                actual=f"{title}.",
                browser=["Chrome 131", "Edge 131", "Safari 18", "Firefox 133"][n % 4],
                os=["Windows 11", "macOS 15", "iOS 18", "Android 15"][n % 4],
                device=["desktop", "desktop", "phone", "tablet"][n % 4],
                viewport=["1920×1080", "1440×900", "390×844", "800×1280"][n % 4],
                language=["de-DE", "fr-FR", "pt-BR", "en-GB"][n % 4],
            ),
            screenshots=[],
            by=tester,
        )  # fmt: skip
        _walk(item, FEEDBACK_STATUSES[n % len(FEEDBACK_STATUSES)], team, logged)
        item.refresh_from_db()
        if item.is_open and n % 4 == 0:
            # Others of the round met the same problem: counted, not logged again.
            for other in test_round.testers.exclude(pk=tester.pk)[: n % 3 + 1]:
                services.feedback_me_too(feedback=item, by=other)
        logged.append(item)
    services.round_set_status(test_round=first, status=RoundStatus.CLOSED, by=pm)


def _round(project, pm, *, name, site, build, dates, requirements, testers):
    test_round = services.round_save(
        test_round=TestRound(
            project=project, name=name, site=site, build=build, starts_on=dates[0],
            ends_on=dates[1],
        ),
        requirements=requirements,
        testers=testers,
        by=pm,
    )  # fmt: skip
    return services.round_set_status(test_round=test_round, status=RoundStatus.OPEN, by=pm)


def _walk(item, status, vendor, earlier) -> None:
    for target, who, reason in FEEDBACK_PATHS[status]:
        actor = vendor if who == "vendor" else item.tester
        item = services.feedback_transition(
            feedback=item,
            to=target,
            perms=project_permissions(actor, item.project),
            by=actor,
            reason=reason,
            duplicate_of=earlier[0] if target == F.DUPLICATE else None,
        )
