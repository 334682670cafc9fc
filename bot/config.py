"""The configuration file: finding it, expanding ${VAR}s, validating it with key paths in errors."""

from __future__ import annotations

import difflib
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Hashable, Literal, Mapping, Union, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator

from bot.adapters.redact import SecretRedactor
from bot.cron import cron_trigger
from bot.filters import FilterError, filter_queries
from bot.model import one_of
from content.settings import (
    BundledSource,
    Number,
    SourceSettings,
    StorageSettings,
    Strict,
    TaxonomySettings,
    WholeNumber,
    web_address,
)
from content.tagging import Tagger
from content.yaml_text import read_as_written

TEN_YEARS = 10 * 365 * 86400  # seconds
EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "config.example.yaml"
_ANY_DAY = datetime(2000, 1, 1, tzinfo=UTC)  # whether a cron expression ever fires does not depend on when


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the problem."""


def _stripped(value: Any) -> Any:
    """Text without the white space around it: the line break `echo` or a secrets file leaves a ${VAR}."""
    return value.strip() if isinstance(value, str) else value


def _token_as_sent(value: Any) -> Any:
    """The token stripped, as the platforms' libraries send it and so as it must be masked; None when empty."""
    value = _stripped(value)
    return None if value == "" else value


# what Telegram's setWebhook takes as a secret token
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
SHORTEST_WEBHOOK_SECRET = 16


class WebhookSettings(Strict):
    enabled: bool = False
    listen: str = "127.0.0.1"
    port: WholeNumber = Field(default=8443, ge=1, le=65535)
    path: str = "telegram"
    url: str | None = Field(default=None, description="the public URL Telegram posts to")
    secret_token: SecretStr | None = None

    _trimmed_secret = field_validator("secret_token", mode="before")(_token_as_sent)
    # either may hold the token (a common path is the token itself): stripped as it is
    _trimmed_address = field_validator("path", "url", mode="before")(_stripped)

    @field_validator("secret_token")
    @classmethod
    def _secret_telegram_takes(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
            raise ValueError("1 to 256 characters, each a letter A-Z or a-z, a digit, _ or - (as Telegram takes it)")
        return secret

    @field_validator("secret_token")
    @classmethod
    def _unguessable_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        """Telegram takes one character, but the secret alone keeps others from posting updates, and it is
        masked in every log line: a short one ("news") would be guessed, and hide a common word everywhere."""
        length = len(secret.get_secret_value()) if secret is not None else SHORTEST_WEBHOOK_SECRET
        if length < SHORTEST_WEBHOOK_SECRET:
            raise ValueError(
                f"{length} character{'s' if length > 1 else ''}, too few to be unguessable: at least {SHORTEST_WEBHOOK_SECRET} "
                "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return secret

    @field_validator("listen", mode="before")
    @classmethod
    def _some_address(cls, listen: Any) -> Any:
        """An empty address is every interface to the web server: too much to take from a ${VAR} left empty."""
        if isinstance(listen, str) and not listen.strip():
            raise ValueError("empty, which would listen on every interface: leave it out for 127.0.0.1, or write 0.0.0.0")
        return _stripped(listen)

    @field_validator("path")
    @classmethod
    def _path_without_its_slashes(cls, path: str) -> str:
        """The server serves http://listen:port/<path>: "/telegram" is the same path as "telegram"."""
        return path.strip("/")

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str | None) -> str | None:
        return url and web_address(url)

    @model_validator(mode="after")
    def _url_when_enabled(self) -> "WebhookSettings":
        if self.enabled and not self.url:
            raise ValueError("url is required when the webhook is enabled: the public https:// address Telegram posts to")
        return self


class TelegramSettings(Strict):
    token: SecretStr | None = None
    base_url: str = "https://api.telegram.org/bot"
    webhook: WebhookSettings = WebhookSettings()

    _trimmed_token = field_validator("token", mode="before")(_token_as_sent)

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        return web_address(url).rstrip("/")  # the token follows it: ".../bot/" would be no Bot API path


class DiscordSettings(Strict):
    token: SecretStr | None = None
    api_base: str = "https://discord.com/api/v10"
    gateway_url: str | None = None
    guild_ids: list[WholeNumber] = []

    _trimmed_token = field_validator("token", mode="before")(_token_as_sent)

    @field_validator("api_base")
    @classmethod
    def _web_address(cls, url: str) -> str:
        return web_address(url)

    @field_validator("gateway_url")
    @classmethod
    def _gateway_address(cls, url: str | None) -> str | None:
        return url and web_address(url, ("wss", "ws"))


class TargetSettings(Strict):
    platform: Literal["telegram", "discord", "console"]
    chat: str

    @field_validator("chat", mode="before")
    @classmethod
    def _chat_as_text(cls, chat: Any) -> Any:
        return str(chat) if isinstance(chat, int) else chat

    @field_validator("chat")
    @classmethod
    def _chat_the_platform_knows(cls, chat: str, info: ValidationInfo) -> str:
        platform = info.data.get("platform")
        if platform == "telegram" and not re.fullmatch(r"@\w+|-?\d+", chat):
            raise ValueError(f'"{chat}" is no Telegram chat: a chat id or "@channelname"')
        if platform == "telegram":
            return chat.lower()  # Telegram reads usernames in any case: one spelling, one chat
        if platform == "discord" and not re.fullmatch(r"\d+", chat):
            raise ValueError(f'"{chat}" is no Discord channel id (a number)')
        return chat


class FilterSettings(Strict):
    sectors: list[str] = []
    countries: list[str] = []
    query: str | None = None


def _valid_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'unknown timezone "{name}"') from None
    return name


class ScheduleSettings(Strict):
    name: str = Field(min_length=1, max_length=100)  # within the 200 characters of the keys it is part of
    cron: str
    timezone: str = "UTC"
    target: TargetSettings
    filter: FilterSettings = FilterSettings()
    mode: Literal["new", "digest"] = "new"
    max_articles: WholeNumber = Field(default=5, ge=1, le=50)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, name: str) -> str:
        return _valid_timezone(name)

    @field_validator("cron")
    @classmethod
    def _cron(cls, expression: str) -> str:
        try:
            trigger = cron_trigger(expression, timezone=UTC)
        except ValueError:
            raise ValueError(f'invalid cron expression "{expression}"') from None
        if trigger.get_next_fire_time(None, _ANY_DAY) is None:  # "0 8 31 2 *": crontab takes it, and waits forever
            raise ValueError(f'cron expression "{expression}" never fires: no month it names has that day')
        return expression


class PlatformLimits(Strict):
    """How fast one platform may be sent to. 0 lifts a limit."""

    per_chat_seconds: Number = Field(default=1.0, ge=0, description="gap between messages to one private chat")
    per_group_seconds: Number = Field(default=3.0, ge=0, description="gap between messages to one group or channel")
    per_second: Number = Field(default=30.0, ge=0, description="messages per second over all chats")


class DeliverySettings(Strict):
    telegram: PlatformLimits = PlatformLimits()
    discord: PlatformLimits = PlatformLimits(per_chat_seconds=1.0, per_group_seconds=1.0, per_second=50.0)
    safety_margin: Number = Field(default=0.03, ge=0, le=0.5, description="stretch every gap by this fraction")
    max_attempts: WholeNumber = Field(default=8, ge=1, description="transient failures before a message is given up")
    backoff_seconds: Number = Field(default=2.0, gt=0, description="first retry delay; doubles per attempt")
    backoff_max_seconds: Number = Field(default=900.0, gt=0)
    lease_seconds: Number = Field(default=120.0, gt=0, description="a claimed message returns to the queue after this")
    batch_size: WholeNumber = Field(default=200, ge=1)
    max_in_flight: WholeNumber = Field(default=100, ge=1)
    poll_seconds: Number = Field(default=1.0, gt=0)
    fanout_seconds: Number = Field(default=15.0, gt=0, description="how often new articles are matched to subscriptions")
    # more than 0: the scheduler fires a moment after the fire time, so 0 would skip on-time runs too
    missed_run_grace_seconds: Number = Field(
        default=6 * 3600, gt=0, le=TEN_YEARS, description="post a run missed while down"  # a longer time is no timedelta
    )
    keep_days: Number = Field(default=30, gt=0, description="messages sent or given up are deleted after this")


def _names_unique(items: list) -> list:
    names = [item.name for item in items]
    if repeated := sorted({name for name in names if names.count(name) > 1}):
        raise ValueError(f"names must be unique: {', '.join(repeated)}")
    return items


class Config(Strict):
    storage: StorageSettings = StorageSettings()
    sources: list[SourceSettings] = [BundledSource(kind="bundled")]
    taxonomy: TaxonomySettings = TaxonomySettings()
    telegram: TelegramSettings = TelegramSettings()
    discord: DiscordSettings = DiscordSettings()
    schedules: list[ScheduleSettings] = []
    delivery: DeliverySettings = DeliverySettings()

    # what ${VAR}s written after a feed url's host stood for: parse_config's to set, the logs' to mask
    _values_in_address_paths: tuple[str, ...] = PrivateAttr(default=())

    _unique_source_names = field_validator("sources")(_names_unique)
    _unique_schedule_names = field_validator("schedules")(_names_unique)

    @property
    def values_in_address_paths(self) -> tuple[str, ...]:
        """The values of the variables written into a source url's path or query (feed/${FEEDTOK}): a
        token there has no parameter name that tells it is one. Of a ${VAR} that gives the scheme and the
        host (url: ${PRIVATE_FEED}), the segments of the path and the values of the query that follow in
        its value; not the host."""
        return self._values_in_address_paths


# ${VAR} or ${VAR:-default}; $${ stands for a literal ${; any other ${ is an error
_VARIABLE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{")
# the start of a ${…} newsbot does not read, up to where it goes wrong: what follows may be a token
_UNREAD_VARIABLE = re.compile(r"\$\{[A-Za-z0-9_ ]*[-:=?+]?")


def _variable_value(name: str, environ: Mapping[str, str]) -> str:
    """The variable's value without the line breaks at its end, which a value read from a file
    ($(cat secret), a Docker secret) brings and the shell's $(…) drops: no config value means them,
    and in the middle of a url or a password they would break it."""
    return environ.get(name, "").rstrip("\r\n")


def expand_variables(text: str, environ: dict[str, str] | None = None, key: str = "") -> str:
    """Replace ${VAR} and ${VAR:-default}; an unset or empty ${VAR} without a default is an error, as is
    a ${ in any other form (the shell's ${VAR-default}), which would otherwise be kept as written."""
    environ = os.environ if environ is None else environ
    where = f"{key}: " if key else ""

    def substitute(match: re.Match[str]) -> str:
        name, default = match.groups()
        if match[0] == "$${":
            return "${"
        if name is None:
            shown = _UNREAD_VARIABLE.match(text, match.start())[0]
            raise ConfigError(
                f'{where}"{shown}…" is no variable newsbot reads: write ${{NAME}} or ${{NAME:-default}} ($${{ for a literal ${{)'
            )
        value = _variable_value(name, environ)
        if value:
            return value
        if default is not None:
            return default
        state = "is empty" if name in environ else "is not set"
        raise ConfigError(f"{where}environment variable {name} {state} (use ${{{name}:-default}} to make it optional)")

    return _VARIABLE.sub(substitute, text)


def _values_after_the_host(written: str, environ: Mapping[str, str]) -> list[str]:
    """The values of the ${VAR}s in a url as written that come after its host (after the first / that
    follows ://), and of those that give the host, the parts of their value after it."""
    values = []
    for match in _VARIABLE.finditer(written):
        before = written[: match.start()]
        name, default = match.groups()
        value = name and (_variable_value(name, environ) or default or "")
        if value and "://" in before and "/" in before.partition("://")[2]:
            values.append(value)
        elif value:
            values.extend(_parts_after_the_host(value))
    return values


def _parts_after_the_host(url: str) -> list[str]:
    """The path's segments and the query's values of a url given whole (url: ${PRIVATE_FEED}), as
    written: a private feed's token is one of them, named as no credential."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "[::1" — the url's own error tells it
        return []
    if not parts.netloc:  # the host alone, or no url
        return []
    values = [pair.partition("=")[2] for pair in re.split("[&;]", parts.query)]
    return [part for part in parts.path.split("/") + values if part]


def _values_in_source_paths(data: dict, environ: Mapping[str, str]) -> tuple[str, ...]:
    sources = data.get("sources")
    urls = [source.get("url") for source in sources if isinstance(source, dict)] if isinstance(sources, list) else []
    return tuple(value for url in urls if isinstance(url, str) for value in _values_after_the_host(url, environ) if value)


def _expand_values(data: Any, environ: dict[str, str] | None, path: str = "") -> Any:
    """Expand variables in parsed values only, so comments may mention ${VAR}."""
    if isinstance(data, str):
        return expand_variables(data, environ, path)
    if isinstance(data, list):
        return [_expand_values(item, environ, f"{path}[{index}]") for index, item in enumerate(data)]
    if isinstance(data, dict):
        return {key: _expand_values(value, environ, f"{path}.{key}" if path else str(key)) for key, value in data.items()}
    return data


# Keys whose values are text, read as written: a schedule's filter of Norway (countries: [NO]) is no false
_TEXT_KEYS = frozenset({"sectors", "countries", "query"})


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a key given twice in one mapping is an error, not "the last one wins"."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in _TEXT_KEYS:
                read_as_written(value_node)
            if key_node.tag == "tag:yaml.org,2002:merge":  # "<<: *defaults": keys given after it override those
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(None, None, "a key that is a list or mapping", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _key_path(location: tuple) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("feed", "files", "bundled") and path.endswith("]"):
            continue  # pydantic's union tag, not a key the user wrote
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _location(error: dict) -> tuple:
    """Where the error is; a source's missing or unknown `kind` is an error in `kind`, not the whole source."""
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return (*error["loc"], error["ctx"]["discriminator"].strip("'"))
    if _run_into_its_value(error):  # the key is told by its name alone, in the problem
        return error["loc"][:-1]
    return error["loc"]


def _run_into_its_value(error: dict) -> bool:
    """A key written with its value and no space after the colon ({token:…}, as JSON writes it), which
    YAML reads as one key: no key newsbot knows has a colon, and the value may be a token."""
    return error["type"] == "extra_forbidden" and ":" in str(error["loc"][-1])


_MAPPING, _LIST = "keys and values", "a list"
_SHAPES = {"model_type": _MAPPING, "model_attributes_type": _MAPPING, "dict_type": _MAPPING, "list_type": _LIST}
_YAML_KINDS = {type(None): "nothing", bool: "true or false", int: "a number", float: "a number", str: "text"}
_YAML_KINDS |= {list: _LIST, dict: _MAPPING}


def _wrong_shape(error: dict) -> str:
    """What was written instead of a section or a list, in YAML's words ("expected a list, found keys and
    values") rather than pydantic's ("a valid dictionary or instance of StorageSettings")."""
    found = _YAML_KINDS.get(type(error["input"]), "something else")
    empty = " (an empty section: fill it in or leave it out)" if error["input"] is None else ""
    return f"expected {_SHAPES[error['type']]}, found {found}{empty}"


def _settings_type(location: tuple) -> Any:
    """The type the config holds at `location`, pydantic's path to an error (a source's kind in it, as
    pydantic names the member of the union); None where the path leaves the settings."""
    annotation: Any = Config
    for part in location:
        annotation = _inside(_unwrapped(annotation), part)
    return _unwrapped(annotation)


def _unwrapped(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _inside(annotation: Any, part: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(part)
        return field and field.annotation
    if get_origin(annotation) is list and isinstance(part, int):
        return get_args(annotation)[0]
    if get_origin(annotation) is dict:
        return get_args(annotation)[1]
    if get_origin(annotation) is Union:
        return next((member for member in get_args(annotation) if part in _tags(member, "kind")), None)
    return None


def _tags(model: Any, key: str) -> tuple:
    """The values a settings model allows for `key` when they are few (a Literal), else none."""
    field = model.model_fields.get(key) if isinstance(model, type) and issubclass(model, BaseModel) else None
    return get_args(field.annotation) if field and get_origin(field.annotation) is Literal else ()


def _unknown_key(location: tuple) -> str:
    *parent, key = location
    model = _settings_type(tuple(parent))
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return "unknown key"
    keys = list(model.model_fields)
    if near := difflib.get_close_matches(str(key), keys, n=1):
        return f"unknown key (did you mean {near[0]}?)"
    return f"unknown key (the keys here: {', '.join(keys)})"


def _required(error: dict) -> str:
    """A missing key, with the values it may have when they are few: "Field required: 'new' or 'digest'"."""
    *parent, key = _location(error)
    if error["type"] == "union_tag_not_found":
        choices = [tag for member in get_args(_settings_type(error["loc"])) for tag in _tags(member, key)]
    else:
        choices = list(_tags(_settings_type(tuple(parent)), key))
    return f"Field required: {one_of([repr(choice) for choice in choices])}" if choices else "Field required"


def _describe(error: dict) -> str:
    if _run_into_its_value(error):
        key = str(error["loc"][-1]).partition(":")[0]
        return f'"{key}:…" is one key to YAML, its value run into it: write a space after the colon ({key}: …)'
    if error["type"] in _SHAPES:
        return _wrong_shape(error)
    if error["type"] == "extra_forbidden":
        return _unknown_key(error["loc"])
    if error["type"] in ("missing", "union_tag_not_found"):
        return _required(error)
    if error["type"] == "union_tag_invalid":  # as a Literal's message reads: "Input should be 'new' or 'digest'"
        return f"Input should be {one_of(error['ctx']['expected_tags'].split(', '))}"
    message = error["msg"]
    return message.removeprefix("Value error, ")


_FIRST_INDEX = re.compile(r"\[(\d+)\]")


def _told_once(problems: list[tuple[str, str]]) -> list[str]:
    """"key: problem" lines, the same problem in several items of a list told once, in the order they
    came: 31 sources without a kind are `sources[0-30].kind: …`, not 31 messages."""
    items: dict[tuple[str, str], list[int]] = {}
    for path, problem in problems:
        index = _FIRST_INDEX.search(path)
        pattern = _FIRST_INDEX.sub("[{}]", path.replace("{", "{{").replace("}", "}}"), count=1)
        items.setdefault((pattern, problem), []).extend([int(index[1])] if index else [])
    return [f"{pattern.format(_ranges(numbers))}: {problem}" for (pattern, problem), numbers in items.items()]


def _ranges(numbers: list[int]) -> str:
    """0, 1, 2, 4, 5 as "0-2, 4, 5": runs of three or more as a range."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs)


_SECRET_KEYS = (("telegram", "token"), ("discord", "token"), ("telegram", "webhook", "secret_token"))


def _tokens_hidden(message: str, data: dict) -> str:
    """The message with the file's tokens masked: an error quotes the value it is about, and a webhook
    url may hold the token (bot.example.org/${TELEGRAM_BOT_TOKEN})."""
    redactor = SecretRedactor()
    for path in _SECRET_KEYS:
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and not _refused_as_too_short(path, value):
            redactor.add(value)
    return redactor.redact(message)


def _refused_as_too_short(path: tuple[str, ...], value: str) -> bool:
    """A webhook secret refused for its length, which its error tells instead of quoting it: masked, "e"
    would hide every e of the message."""
    return path[-1] == "secret_token" and len(value.strip()) < SHORTEST_WEBHOOK_SECRET


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What is wrong and where, without the lines of the file PyYAML quotes: one may hold a token."""
    if not isinstance(error, yaml.MarkedYAMLError):
        return str(error)
    if error.problem and "'\\t'" in error.problem and error.problem_mark:  # PyYAML: "found character '\t' that …"
        mark = error.problem_mark
        return f"a tab (line {mark.line + 1}, column {mark.column + 1}): YAML indents with spaces, not tabs"
    told = ((error.context, error.context_mark), (error.problem, error.problem_mark))
    return ": ".join(
        f"{text} (line {mark.line + 1}, column {mark.column + 1})" if mark else text for text, mark in told if text
    )


_TOKEN_VARIABLES = {"telegram": "TELEGRAM_BOT_TOKEN", "discord": "DISCORD_BOT_TOKEN"}


def _tokens_from_environment(data: dict, environ: Mapping[str, str]) -> dict:
    """`data` with a platform's token from the environment where the file leaves `token` out, as a key left
    out takes config.example.yaml's value, there `token: ${TELEGRAM_BOT_TOKEN:-}`."""
    for platform, variable in _TOKEN_VARIABLES.items():
        section = data.get(platform, {})
        if isinstance(section, dict) and "token" not in section and environ.get(variable):
            data = {**data, platform: {**section, "token": environ[variable]}}
    return data


def parse_config(text: str, origin: str = "config", environ: dict[str, str] | None = None) -> Config:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise ConfigError(f"{origin}: not valid YAML: {_yaml_problem(error)}") from None
    if data is None:  # an empty file (or only comments): the defaults
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the top level must be a mapping of keys")
    environ = os.environ if environ is None else environ
    values_in_address_paths = _values_in_source_paths(data, environ)
    try:
        data = _expand_values(data, environ)
    except RecursionError:
        raise ConfigError(f"{origin}: a YAML alias refers to itself") from None
    except ConfigError as error:
        raise ConfigError(f"{origin}: {error}") from None
    data = _tokens_from_environment(data, environ)
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        lines = _told_once([(_key_path(_location(e)), _describe(e)) for e in error.errors()])
        raise ConfigError(_tokens_hidden(f"{origin}: " + "; ".join(lines), data)) from None
    try:
        filter_queries(config.schedules, Tagger.from_settings(config.taxonomy))
    except FilterError as error:
        raise ConfigError(_tokens_hidden(f"{origin}: {error}", data)) from None
    config._values_in_address_paths = values_in_address_paths
    return config


def config_path(explicit: str | None) -> Path | None:
    """--config, else $NEWSBOT_CONFIG, else ./config.yaml, else None (built-in defaults)."""
    if explicit:
        return Path(explicit)
    if os.environ.get("NEWSBOT_CONFIG"):
        return Path(os.environ["NEWSBOT_CONFIG"])
    local = Path("config.yaml")
    return local if local.exists() else None


def built_in_config(environ: dict[str, str] | None = None) -> Config:
    """The defaults, as config.example.yaml reads: the tokens from TELEGRAM_BOT_TOKEN and DISCORD_BOT_TOKEN."""
    return parse_config("", "the built-in defaults", environ)


def load_config(explicit: str | None = None) -> Config:
    path = config_path(explicit)
    if path is None:
        return built_in_config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        given_by = "" if explicit or os.environ.get("NEWSBOT_CONFIG") != str(path) else " (from $NEWSBOT_CONFIG)"
        raise ConfigError(f"{path}{given_by}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.start + 1})") from None
    return parse_config(text, origin=str(path))
