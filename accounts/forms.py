from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm

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
