"""The reference: sesame's session behaviour the way a Flask course builds it.

Flask's signed-cookie session with SECRET_KEY, Flask-Login with a
`user_loader` that reads the user from SQLite through Flask-SQLAlchemy,
Werkzeug's password hashes, the same texts on `/`, and the same JSON
endpoints. Served by gunicorn with 2 workers (bench/compare starts it).
"""
import os

from flask import Flask, jsonify, render_template_string, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash, generate_password_hash

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)
login_manager = LoginManager(app)


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(32), unique=True, nullable=False)
    email = db.Column(db.String(254), unique=True, nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)

    def to_json(self):
        return {"id": self.id, "username": self.username, "email": self.email}


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} · sesame</title></head>
<body><nav><a href="/">Home</a> <a href="/cookies">Cookies</a> <a href="/profile">Profile</a> <a href="/users">Users</a></nav>
<main>{% block body %}{% endblock %}</main></body></html>"""

HOME = PAGE.replace(
    "{% block body %}{% endblock %}",
    "<h1>sesame</h1><p>{% if current_user.is_authenticated %}Logged in as {{ current_user.username }}"
    "{% else %}You are not logged in!{% endif %}</p>",
)

USERS = PAGE.replace(
    "{% block body %}{% endblock %}",
    "<h1>Users</h1><table><tr><th>ID</th><th>Username</th><th>Email</th></tr>"
    "{% for u in users %}<tr><td>{{ u.id }}</td><td>{{ u.username }}</td><td>{{ u.email }}</td></tr>{% endfor %}"
    "</table>",
)


@app.get("/")
def home():
    return render_template_string(HOME, title="Home")


@app.get("/users")
@login_required
def users():
    page = request.args.get("page", 1, type=int)
    rows = db.paginate(db.select(User).order_by(User.id), page=page, per_page=20, error_out=False)
    return render_template_string(USERS, title="Users", users=rows.items)


@app.post("/api/current_user")
def api_current_user():
    return jsonify(current_user.to_json() if current_user.is_authenticated else None)


@app.post("/api/register")
def api_register():
    user = User(
        username=request.form["username"],
        email=request.form["email"],
        password_hash=generate_password_hash(request.form["password"]),
    )
    db.session.add(user)
    db.session.commit()
    login_user(user)
    return jsonify(user.to_json())


@app.post("/api/login")
def api_login():
    user = db.session.execute(db.select(User).filter_by(username=request.form["username"])).scalar_one_or_none()
    if user is None or not check_password_hash(user.password_hash, request.form["password"]):
        return jsonify("InvalidCredentials"), 401
    login_user(user, remember="remember" in request.form)
    return jsonify(user.to_json())


with app.app_context():
    db.create_all()
