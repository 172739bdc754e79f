from flask import Blueprint

bp = Blueprint("builder", __name__)
