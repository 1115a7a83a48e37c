from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .tasks import send_password_reset

User = get_user_model()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "time_zone"]


class QueuedPasswordResetForm(PasswordResetForm):
    """Send the reset e-mail from a task after commit, never from inside the request."""

    def get_users(self, email):
        # People invited but who never set a password may ask for a link too.
        return User.objects.filter(email__iexact=email, is_active=True)

    def save(self, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            send_password_reset.delay_on_commit(user.pk)


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or a recovery code where allowed."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )

    def __init__(self, *args, recovery_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = (
            _("The 6-digit code your authenticator app shows for Liaison, or one recovery code.")
            if recovery_allowed
            else _("The 6-digit code your authenticator app shows for Liaison.")
        )
