from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.models.user import PACES, TONES
from app.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a new password."),
            Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH, message="Use 10 to 256 characters."),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("new_password", "The two passwords differ.")],
    )


class PreferencesForm(FlaskForm):
    voice = SelectField("Voice", validators=[Optional()], choices=[])
    pace = RadioField("Pace", choices=[SelectChoice(p, p.capitalize()) for p in PACES], validators=[Optional()])
    tone = RadioField("Tone", choices=[SelectChoice(t, t.capitalize()) for t in TONES], validators=[Optional()])
