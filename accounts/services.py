from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone


def user_sessions_end(*, user) -> int:
    """Sign `user` out everywhere by deleting their stored sessions; returns how many.

    Sessions live in the database and last at most SESSION_MAX_HOURS, so the live ones are few:
    reading each is simpler than keeping a second record of who holds which session, and cannot
    miss one whose key changed (a password change cycles it).
    """
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
