from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired


class SimulatedCheckoutForm(FlaskForm):
    """The simulated checkout's Pay and Cancel buttons: nothing but the CSRF token."""


class BuyCreditsForm(FlaskForm):
    bundle = IntegerField("Credits", validators=[InputRequired("Choose a bundle.")])
