from flask import Blueprint

bp = Blueprint("practice", __name__)
