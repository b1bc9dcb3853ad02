"""Flask extensions, created once and bound to an app by `create_app`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from moderation.models.base import Base

# Objects stay loaded after a commit: a view that commits and then shows what it changed
# must not reload (and on SQLite, re-lock) every attribute it reads. Each request has its
# own session, so nothing stale outlives the request.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
