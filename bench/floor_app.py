"""The floor: the least a Flask page over this database can cost on the same gunicorn setup.

One route, 50 events (title, start date) by plain SQLAlchemy Core, a tiny inline Jinja template.
Run: DATABASE_URL=... gunicorn -w 4 -k sync bench.floor_app:app
"""

import os

from flask import Flask
from sqlalchemy import column, create_engine, select, table

from lms.config import normalise_database_url

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]))  # the bare library: its defaults
events = table("events", column("id"), column("title"), column("start_date"))
query = select(events.c.title, events.c.start_date).order_by(events.c.start_date, events.c.id).limit(50)
page = app.jinja_env.from_string(
    "<!doctype html><title>Floor</title><table>"
    "{% for title, start in rows %}<tr><td>{{ title }}</td><td>{{ start }}</td></tr>{% endfor %}"
    "</table>"
)


@app.route("/")
def index():
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return page.render(rows=rows)
