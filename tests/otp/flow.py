"""A test-only flow that confirms a (pretend) phone change with the code step,
the way a real flow does: form → ``send_code``/``verify_code`` → render.
Registered by the view and browser tests on their app."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template_string, request, url_for
from flask_babel import gettext

from portal.errors import NotAcceptable, RateLimited, ServiceUnavailable
from portal.extensions import db
from portal.otp.forms import CodeForm
from portal.otp.services import latest_challenge, send_code, verify_code
from portal.otp.views import render_code_step
from portal.request_context import client_ip
from tests.otp.conftest import PHONE

FLOW_SUBJECT = "user:42"
FLOW_PURPOSE = "phone_change"
FLOW_PAYLOAD = {"phone": PHONE}
STEP_PAGE = """{% extends "base.html" %}{% block content %}
<h1 id="flow-title">Confirm your new phone number</h1>{% include "otp/_code_step.html" %}{% endblock %}"""
DONE_PAGE = """{% extends "base.html" %}{% block content %}<p id="flow-done">{{ reference }}</p>{% endblock %}"""

flow = Blueprint("otp_test_flow", __name__, url_prefix="/_test/otp")


def _step(form=None, error=None):
    challenge = latest_challenge(purpose=FLOW_PURPOSE, subject=FLOW_SUBJECT)
    template = current_app.jinja_env.from_string(STEP_PAGE)
    return render_code_step(template, challenge, form=form, error=error, action=url_for(".confirm"))


def _send():
    send_code(purpose=FLOW_PURPOSE, subject=FLOW_SUBJECT, phone=PHONE, payload=FLOW_PAYLOAD, client_ip=client_ip())


@flow.post("/start")
def start():
    try:
        _send()
    except (RateLimited, ServiceUnavailable) as error:
        return _step(error=error)
    return redirect(url_for(".confirm"))


@flow.route("/confirm", methods=["GET", "POST"])
def confirm():
    form = CodeForm.from_request()
    if request.method == "GET":
        return _step(form)
    if form.wants_resend:
        try:
            _send()
        except (RateLimited, ServiceUnavailable) as error:
            return _step(form, error)
        return redirect(url_for(".confirm"))
    if not form.validate():
        return _step(form)
    try:
        reference = verify_code(
            purpose=FLOW_PURPOSE, subject=FLOW_SUBJECT, phone=PHONE, payload=FLOW_PAYLOAD, code=form.code.data
        )
    except NotAcceptable as error:
        return _step(form, error)
    db.session.commit()  # the real flow commits its change here, with the spent code
    return render_template_string(DONE_PAGE, reference=gettext("Confirmed: %(ref)s", ref=reference))


@flow.post("/json")
def confirm_json():
    """The JSON face of the same flow: refusals go to the one set of error handlers."""
    form = CodeForm.from_request()
    data = form.validate_or_raise()
    if data["resend"]:
        _send()
        return jsonify(message="success")
    reference = verify_code(
        purpose=FLOW_PURPOSE, subject=FLOW_SUBJECT, phone=PHONE, payload=FLOW_PAYLOAD, code=data["code"]
    )
    db.session.commit()
    return jsonify(reference=reference)
