"""Application factory."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import INSTANCE_DIR, Config


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=str(INSTANCE_DIR))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    if app.config.get("PROXY_FIX_COUNT"):
        n = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    from lms.config import engine_options
    from lms.requestlog import configure_logging

    configure_logging(app)  # plain text, or JSON lines with LOG_FORMAT=json; the request id in every line
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)

    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_cli(app)
    from lms import ops, readonly

    readonly.init_app(app)  # @read_only pages: no transaction on PostgreSQL, and a check that they never write
    ops.init_app(app)  # request id, access log, 503 when the database is away, 507 when the disk is full
    from lms import security

    security.init_app(app)  # CSP, HSTS and the other security headers on every response
    from lms import speedups

    speedups.init_app(app)  # no idle rate-limit hook, memoised url_for in templates
    return app


def register_extensions(app: Flask) -> None:
    from lms import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
    from lms.i18n import select_locale

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and not app.config[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ].get("pool_pre_ping"):
        from lms import pool

        with app.app_context():
            pool.install(db.engine, app.config["DB_PING_IDLE_SECONDS"])  # no round trip per checkout
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="../translations")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Silakan masuk terlebih dahulu.")

    from lms.auth.loader import load_user

    login_manager.user_loader(load_user)  # one small query per request, the token checked every time


BLUEPRINT_MODULES = (
    "lms.main.views",
    "lms.auth.views",
    "lms.auth.admin_views",
    "lms.auth.directory_views",
    "lms.events.agency_views",
    "lms.events.views",
    "lms.events.enrolment_views",
    "lms.events.roster_views",
    "lms.courses.views",
    "lms.attendance.views",
    "lms.certificates.views",
    "lms.assessments.views",
    "lms.reports.views",
    "lms.reports.agency_views",
    "lms.jobs_views",
    "lms.audit.views",
)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for module in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(module).bp)


def register_template_helpers(app: Flask) -> None:
    from lms.events.tools import event_tools, participant_tools
    from lms.i18n import register_filters

    register_filters(app)
    app.jinja_env.globals["event_tools"] = event_tools
    app.jinja_env.globals["participant_tools"] = participant_tools


def register_error_handlers(app: Flask) -> None:
    from lms.main.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from lms.cli import register

    register(app)
