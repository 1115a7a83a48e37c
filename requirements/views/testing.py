"""User acceptance testing: rounds, the tester's feedback form, triage and go-live readiness."""

import copy
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit import services as audit
from audit.models import Kind
from projects.access import project_for
from projects.history import history_entries, item_history
from projects.models import Project
from projects.pages import (
    apply_errors,
    id_or_404,
    in_project,
    page_or_fragment,
    paginate,
    read_choices,
    related_count,
    show_stale,
    submitted,
)
from projects.uploads import check_images
from projects.versions import StaleEdit

from .. import services
from ..forms import (
    CommentForm,
    FeedbackFilter,
    FeedbackForm,
    FeedbackTransitionForm,
    RoundForm,
    RoundStatusForm,
)
from ..models import (
    FEEDBACK_DONE,
    Feedback,
    FeedbackStatus,
    MeToo,
    Screenshot,
    TestRound,
)
from ..readiness import readiness as readiness_of
from ..workflow import FEEDBACK_TRANSITIONS, available

TESTING = frozenset({"log_feedback", "triage_feedback", "manage_project"})


def _project(request: HttpRequest, key: str) -> Project:
    project = project_for(request, key)
    if not project.user_perms & TESTING:
        raise PermissionDenied(_("Your role on this project does not include testing."))
    return project


def _rounds(request: HttpRequest, project: Project):
    return TestRound.objects.filter(project=project).visible_to(request.user, project.user_perms)


def _round_for(request: HttpRequest, project: Project, round_id: int) -> TestRound:
    return get_object_or_404(
        _rounds(request, project).select_related("project", "site"), pk=round_id
    )


def _visible_feedback(request: HttpRequest, project: Project):
    return Feedback.objects.for_project(project).visible_to(request.user, project.user_perms)


def _feedback(request: HttpRequest, project: Project):
    return (
        _visible_feedback(request, project)
        .select_related("round__site", "tester", "requirement")
        .annotate(me_too_count=related_count(MeToo.objects, "feedback"))
    )


# What an item links to, all in its project (see `in_project`).
_LINKS = ("round", "requirement")


def _feedback_for(request: HttpRequest, project: Project, number: int) -> Feedback:
    feedback = get_object_or_404(
        _feedback(request, project).select_related("duplicate_of"), number=number
    )
    return in_project(project, [feedback], *_LINKS, "duplicate_of")[0]


def _moves(feedback: Feedback, project: Project, user):
    return available(
        feedback.status,
        project.user_perms,
        services.is_tester_of(feedback, user),
        FEEDBACK_TRANSITIONS,
    )


def _triages(project: Project) -> bool:
    return "triage_feedback" in project.user_perms


def _progress(field: str, test_round: TestRound):
    """Items logged, open and verified, per `field` of the round's feedback, in one query."""
    return (
        test_round.feedback.values(field)
        .annotate(
            logged=Count("pk"),
            still_open=Count("pk", filter=~Q(status__in=FEEDBACK_DONE)),
            verified=Count("pk", filter=Q(status=FeedbackStatus.VERIFIED)),
        )
        .order_by(field)
    )


@login_required
def round_list(request: HttpRequest, key: str) -> HttpResponse:
    """Every round for the vendor; "my rounds", with my own items counted, for a tester."""
    project = _project(request, key)
    whose = Q() if _triages(project) else Q(feedback__tester=request.user)
    rounds = (
        _rounds(request, project)
        .select_related("site")
        .annotate(
            logged=Count("feedback", filter=whose),
            still_open=Count("feedback", filter=whose & ~Q(feedback__status__in=FEEDBACK_DONE)),
        )
    )
    context = {"project": project, "rounds": rounds, "triages": _triages(project)}
    return render(request, "requirements/rounds.html", context)


@login_required
def round_edit(request: HttpRequest, key: str, round_id: int | None = None) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    test_round = (
        get_object_or_404(TestRound, project=project, pk=round_id)
        if round_id
        else TestRound(project=project)
    )
    # A copy: a refused change must not show in the page around the form.
    form = RoundForm(request.POST or None, instance=copy.copy(test_round), project=project)
    saved = submitted(
        request,
        form,
        lambda f: services.round_save(
            test_round=f.save(commit=False),
            requirements=list(f.cleaned_data["requirements"]),
            testers=list(f.cleaned_data["testers"]),
            by=request.user,
        ),
    )
    if saved:
        messages.success(request, _("Round %(name)s saved.") % {"name": saved.name})
        return redirect(saved)
    context = {"project": project, "form": form, "test_round": test_round}
    return render(request, "requirements/round_form.html", context)


@login_required
def round_detail(request: HttpRequest, key: str, round_id: int) -> HttpResponse:
    project = _project(request, key)
    test_round = _round_for(request, project, round_id)
    testers = test_round.testers.order_by("first_name", "last_name")
    scope = in_project(project, list(test_round.requirements.order_by("number")))
    context = {
        "project": project,
        "test_round": test_round,
        "triages": _triages(project),
        "may_log": "log_feedback" in project.user_perms and test_round.is_open,
        "scope": scope,
    }
    if _triages(project):
        per_tester = {row["tester"]: row for row in _progress("tester", test_round)}
        per_requirement = {row["requirement"]: row for row in _progress("requirement", test_round)}
        context["by_tester"] = [(person, per_tester.get(person.pk, {})) for person in testers]
        context["by_requirement"] = [(r, per_requirement.get(r.pk, {})) for r in scope]
        context["unlinked"] = per_requirement.get(None)
    else:
        mine = _feedback(request, project).filter(round=test_round).order_by("-number")
        context["mine"] = in_project(project, list(mine), *_LINKS)
        # Someone else's items: where they stand, not what they say (a tester reads only their
        # own).
        met = test_round.feedback.filter(me_toos__user=request.user).order_by("-number")
        context["met_too"] = in_project(
            project, list(met.only("number", "title", "status", "project"))
        )
    return render(request, "requirements/round_detail.html", context)


@require_POST
@login_required
def round_status(request: HttpRequest, key: str, round_id: int) -> HttpResponse:
    project = project_for(request, key, "manage_project")
    test_round = get_object_or_404(TestRound, project=project, pk=round_id)
    form = RoundStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("That status could not be read."))
        test_round = services.round_set_status(
            test_round=test_round, status=form.cleaned_data["status"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now %(status)s.")
            % {"name": test_round.name, "status": test_round.get_status_display().lower()},
        )
    return redirect(test_round)


def _tester_round(request: HttpRequest, key: str, round_id: int) -> tuple[Project, TestRound]:
    """A round the signed-in tester is invited to."""
    project = project_for(request, key, "log_feedback")
    test_round = get_object_or_404(
        TestRound.objects.select_related("project"), project=project, pk=round_id,
        testers=request.user,
    )  # fmt: skip
    return project, test_round


@login_required
def feedback_new(request: HttpRequest, key: str, round_id: int) -> HttpResponse:
    project, test_round = _tester_round(request, key, round_id)
    if request.method == "GET" and not test_round.is_open:
        # Before anything is typed (a bookmark, the back button): the rounds that take it.
        messages.error(
            request,
            _("%(round)s is not open: it takes no new feedback. Log it in an open round.")
            % {"round": test_round.name},
        )
        return redirect("requirements:rounds", project.key)
    form = FeedbackForm(
        request.POST or None,
        request.FILES or None,
        instance=Feedback(round=test_round),
        test_round=test_round,
    )
    saved = submitted(
        request,
        form,
        lambda f: services.feedback_log(
            feedback=f.save(commit=False),
            screenshots=check_images(f.cleaned_data["screenshots"], field="screenshots"),
            by=request.user,
        ),
    )
    if saved:
        messages.success(request, _("%(key)s logged. Thank you!") % {"key": saved.key})
        return redirect(saved)
    context = {"project": project, "test_round": test_round, "form": form}
    return render(request, "requirements/feedback_form.html", context)


@login_required
def feedback_similar(request: HttpRequest, key: str, round_id: int) -> HttpResponse:
    """Open items of the round like the title being typed, so that a known problem gets a
    "me too" instead of a second item."""
    project, test_round = _tester_round(request, key, round_id)
    similar = (
        test_round.feedback.select_related("project")
        .annotate(
            me_too_count=Count("me_toos"),
            met_too=Exists(MeToo.objects.filter(feedback=OuterRef("pk"), user=request.user)),
        )
        .similar_to(request.GET.get("title", "")[:200])
    )
    context = {"project": project, "test_round": test_round, "similar": similar}
    if request.htmx:
        return render(request, "requirements/feedback_form.html#similar", context)
    # Without JavaScript: the form again, its title kept, with the suggestions under it.
    form = FeedbackForm(initial={"title": request.GET.get("title", "")[:200]},
                        instance=Feedback(round=test_round), test_round=test_round)  # fmt: skip
    return render(request, "requirements/feedback_form.html", {**context, "form": form})


def _filtered(request: HttpRequest, project: Project, params=None) -> FeedbackFilter:
    return FeedbackFilter(
        request.GET if params is None else params, queryset=_feedback(request, project),
        project=project, rounds=_rounds(request, project),
    )  # fmt: skip


def _status_counts(feedback_filter: FeedbackFilter) -> list[tuple[str, str, int]]:
    counts = dict(
        feedback_filter.qs.order_by().values_list("status").annotate(n=Count("pk", distinct=True))
    )
    return [(value, label, counts.get(value, 0)) for value, label in FeedbackStatus.choices]


@login_required
def feedback_list(request: HttpRequest, key: str) -> HttpResponse:
    project = _project(request, key)
    feedback_filter = _filtered(request, project)
    page = paginate(request, feedback_filter.qs.order_by("-number"), per_page=50)
    context = {
        "project": project,
        "filter": feedback_filter,
        "page": in_project(project, page, *_LINKS),
        "counts": _status_counts(feedback_filter),
        "triages": _triages(project),
    }
    read_choices(request, feedback_filter.form)
    return render(
        request, page_or_fragment(request, "requirements/feedback_list.html", "results"), context
    )


# A column shows its newest items; the list pages through all of them.
BOARD_COLUMN_LIMIT = 12
# What a card shows and its moves need: the window that picks each column's cards reads these
# for every item that matches the filters, so no more.
CARD_FIELDS = (
    "number", "title", "kind", "severity", "status", "version", "tester_id", "project",
    "round__name",
)  # fmt: skip


def _board(request: HttpRequest, project: Project, params) -> dict:
    # Its columns are the statuses: a status filter (a list's, in a link or a URL kept from it)
    # would empty every other column, with no status filter on view to say why.
    params = params.copy()
    params.pop("status", None)
    feedback_filter = _filtered(request, project, params)
    # Each column's newest cards, whatever the age of the other columns' items; every card
    # carries its column's total, counted before the column is cut (one query for both).
    column = {"partition_by": [F("status")]}
    cards = (
        feedback_filter.qs.select_related(None)
        .select_related("round")
        .only(*CARD_FIELDS)
        .annotate(
            rank=Window(RowNumber(), order_by=F("number").desc(), **column),
            column_total=Window(Count("pk"), **column),
        )
        .filter(rank__lte=BOARD_COLUMN_LIMIT)
        .order_by("-number")
    )
    items = in_project(project, list(cards))
    totals = {item.status: item.column_total for item in items}
    columns = [
        {
            "status": value,
            "label": label,
            "count": totals.get(value, 0),
            "cards": [
                {"item": item, "moves": _moves(item, project, request.user)}
                for item in items
                if item.status == value
            ],
        }
        for value, label in FeedbackStatus.choices
    ]
    read_choices(request, feedback_filter.form)
    return {"project": project, "filter": feedback_filter, "columns": columns}


@login_required
def feedback_board(request: HttpRequest, key: str) -> HttpResponse:
    project = _project(request, key)
    context = {**_board(request, project, request.GET), "here": request.get_full_path()}
    return render(
        request, page_or_fragment(request, "requirements/feedback_board.html", "board"), context
    )


@login_required
def feedback_detail(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = _project(request, key)
    feedback = _feedback_for(request, project, number)
    return render(
        request, "requirements/feedback_detail.html", _detail_context(request, project, feedback)
    )


# An item's page shows its latest comments; the whole thread is a link away.
ITEM_COMMENTS = 20


def _comments(request, feedback: Feedback) -> dict:
    """The item's latest `ITEM_COMMENTS` comments, oldest first, and whether earlier ones were
    left unread; all of them when the page was asked for `?comments=all`. One query."""
    comments = feedback.comments.select_related("author")
    if request.GET.get("comments") == "all":
        return {"comments": list(comments), "earlier_comments": False}
    latest = list(comments.reverse()[: ITEM_COMMENTS + 1])
    return {
        "comments": latest[:ITEM_COMMENTS][::-1],
        "earlier_comments": len(latest) > ITEM_COMMENTS,
    }


def _detail_context(request, project, feedback, form=None, comment_form=None) -> dict:
    return {
        "project": project,
        "feedback": feedback,
        "moves": _moves(feedback, project, request.user),
        "form": form,
        "comment_form": comment_form or CommentForm(),
        **_comments(request, feedback),
        "screenshots": list(feedback.screenshots.all()),
        "history": item_history(request, feedback.history.all(), _("Feedback"), feedback.key),
    }


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _back(request: HttpRequest, feedback: Feedback) -> HttpResponse:
    return redirect(_safe_next(request) or feedback.get_absolute_url())


def _moved_to(feedback: Feedback) -> str:
    """What confirms a move, on the board, on the item's page and after a redirect."""
    return _("%(key)s moved to “%(status)s”.") % {
        "key": feedback.key,
        "status": feedback.get_status_display(),
    }


def _status_panel(request, project, feedback, form, error, moved: Feedback | None):
    """The item page's status panel after a status change by htmx, with the change's history
    entry put on top of the history and, when a reason was posted as a comment, the comments
    again: the rest of the page has not changed."""
    context = {"project": project, "confirmed": _moved_to(moved) if moved else ""}
    if moved is None:
        if not isinstance(error, StaleEdit):
            apply_errors(form, error)
        feedback = _feedback_for(request, project, feedback.number)
        context["form"] = form
    else:
        feedback = moved
        context["new_history"] = history_entries(
            (moved.history.all(), _("Feedback"), lambda row: moved.key), latest=1
        )
        if moved.status_reason:
            context.update(_comments(request, moved))
    context.update(feedback=feedback, moves=_moves(feedback, project, request.user))
    return render(request, "requirements/feedback_detail.html#moved", context)


@require_POST
@login_required
def feedback_transition(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = _project(request, key)
    # Only to know it is there and this person sees it: the change reads it again, locked.
    feedback = get_object_or_404(
        _visible_feedback(request, project).select_related("project"), number=number
    )
    form = FeedbackTransitionForm(request.POST)
    error = moved = None
    if not form.is_valid():
        error = ValidationError(_("That status change could not be read."))
    else:
        number = form.original_number(project.key)
        original = (
            Feedback.objects.for_project(project)
            .select_related("project")
            .filter(number=number)
            .first()
            if number
            else None
        )
        try:
            named = form.cleaned_data["duplicate_of"].strip()
            if named and original is None and form.cleaned_data["to"] == FeedbackStatus.DUPLICATE:
                # Whatever names no item here (a number it has not reached, another project's
                # key, a typing slip) gets the same answer, which tells nothing of elsewhere.
                raise ValidationError({"duplicate_of": _(
                    "This project has no item “%(named)s”: name the item it repeats."
                ) % {"named": named}})  # fmt: skip
            moved = services.feedback_transition(
                feedback=feedback, to=form.cleaned_data["to"], perms=project.user_perms,
                by=request.user, reason=form.cleaned_data["reason"], duplicate_of=original,
                read_version=form.cleaned_data["version"],
            )  # fmt: skip
        except StaleEdit as refused:
            error = refused
            show_stale(form, refused)
        except ValidationError as refused:
            error = refused
    card = bool(request.POST.get("card"))
    if request.htmx and not card:
        return _status_panel(request, project, feedback, form, error, moved)
    feedback = _feedback_for(request, project, feedback.number)
    if card and isinstance(error, StaleEdit):
        # Back on the board, the card shows where the other person moved it: there is no form
        # to compare with theirs.
        error = ValidationError(
            _("%(who)s moved it to “%(status)s” meanwhile. Nothing was overwritten.")
            % {"who": error.who, "status": feedback.get_status_display()}
        )
    if request.htmx:
        # The board again, as filtered: the card moves to its new column, counts follow.
        here = _safe_next(request) or reverse("requirements:feedback_board", args=[key])
        context = {
            **_board(request, project, QueryDict(urlsplit(here).query)),
            "here": here,
            "error": error,
            "moved": feedback,
            "confirmed": "" if error else _moved_to(feedback),
        }
        return render(request, "requirements/feedback_board.html#board", context)
    if isinstance(error, StaleEdit) or hasattr(error, "error_dict"):
        # The item's page again: their triage beside this person's (nothing was overwritten),
        # or the refusal beside the field at fault with what was typed kept.
        if not isinstance(error, StaleEdit):
            apply_errors(form, error)
        context = _detail_context(request, project, feedback, form=form)
        return render(request, "requirements/feedback_detail.html", context)
    if error:
        messages.error(request, f"{feedback.key}: {' '.join(error.messages)}")
    else:
        messages.success(request, _moved_to(feedback))
    return _back(request, feedback)


@require_POST
@login_required
def feedback_comment(request: HttpRequest, key: str, number: int) -> HttpResponse:
    project = _project(request, key)
    feedback = _feedback_for(request, project, number)
    form = CommentForm(request.POST)
    if submitted(
        request,
        form,
        lambda f: services.feedback_comment(
            feedback=feedback, body=f.cleaned_data["body"], by=request.user
        ),
    ):
        return redirect(feedback.get_absolute_url() + "#comments-title")
    context = _detail_context(request, project, feedback, comment_form=form)
    return render(request, "requirements/feedback_detail.html", context, status=400)


@require_POST
@login_required
def feedback_me_too(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Another tester of the round met the same open problem. They may not read the item (it is
    someone else's), only count themselves in."""
    project = project_for(request, key, "log_feedback")
    feedback = get_object_or_404(
        Feedback.objects.select_related("round", "project"), project=project,
        number=number, round__testers=request.user,
    )  # fmt: skip
    try:
        services.feedback_me_too(feedback=feedback, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Counted: you met %(key)s too. No need to log it again.") % {"key": feedback.key},
        )
    return redirect("requirements:round", project.key, feedback.round_id)


@login_required
def screenshot(request: HttpRequest, key: str, screenshot_id: int) -> FileResponse:
    project = _project(request, key)
    visible = _feedback(request, project).values("pk")
    item = get_object_or_404(
        Screenshot, pk=id_or_404(screenshot_id), feedback__in=visible, feedback__project=project
    )
    audit.record(Kind.DOWNLOAD, request=request, project=project, subject=item.name, obj=item)
    # A plain PNG or JPEG (decoded and re-encoded when uploaded), of a type the browser may not
    # second-guess (nosniff); sent as a download like every upload, which an <img> still shows.
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )


@login_required
def readiness(request: HttpRequest, key: str) -> HttpResponse:
    project = project_for(request, key, "view_requirements")
    context = {
        "project": project,
        "scopes": readiness_of(project),
        "reads_feedback": bool(project.user_perms & {"triage_feedback", "manage_project"}),
    }
    return render(request, "requirements/readiness.html", context)
