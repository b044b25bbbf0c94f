"""Extensions created unbound; ``create_app`` binds them."""

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from parentapp.errors import register_error_handlers
from parentapp.schemas.base import ErrorSchema

# Stable constraint names so Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The execution option that tells ``parentapp.database`` how a SQLite transaction
# begins: the session reads in deferred transactions until a service declares that
# it writes (``services.common.transactions.begin_write``); a connection taken from
# the engine directly begins IMMEDIATE, as before.
SQLITE_BEGIN = "parentapp_sqlite_begin"
db = SQLAlchemy(model_class=Base,
                session_options={"execution_options": {SQLITE_BEGIN: "DEFERRED"}})
migrate = Migrate()


class ContractApi(Api):
    """flask-smorest's Api, rendering every error in the contract's body."""

    ERROR_SCHEMA = ErrorSchema
    # Each route lists the statuses it answers (parentapp.api.error_docs), not a catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        register_error_handlers(self._app)


api = ContractApi()
