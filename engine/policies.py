"""Natural-language policies: the hypotheses tier 2's NLI model checks a text against.

Built-in policies are data (assets/policies/*.toml, one file per category);
the user's own ("This text contains source code from our internal
repository.") live in policies.json in the user config dir. A corrupt user
file is moved aside and reported, never silently emptied.

People write policies as orders ("Block anything that mentions the merger",
"No customer data", "Warn me when I paste code"); the NLI model was trained on
statements about a text ("This text tells the assistant to ..."). `rewrite`
turns what the user typed into such a statement, by rules that know nothing of
any particular policy, and says what it changed. The user's words are kept for
display next to what is checked. See data/policies/README.md for the measured
effect.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from engine.assets import AssetError, assets_dir, load_toml
from engine.userfiles import read_json, set_aside, write_atomic

Action = Literal["warn", "block"]
ACTIONS: tuple[Action, ...] = ("warn", "block")
MAX_HYPOTHESIS_CHARS = 200  # one sentence; the NLI model reads at most 64 tokens of it
MAX_USER_POLICIES = 50
AS_WRITTEN_THRESHOLD = 0.5  # a policy checked exactly as typed (the built-ins' usual threshold)
# A rewritten policy fires at this entailment. Statements about what a text mentions get far less
# entailment from the model than its own adaptation hypotheses do: on the tuning half of
# data/policies, 0.15 was right on about as many examples as any lower threshold while firing on
# under 1 % of the everyday texts there (packaging/policy_eval.py --sweep prints the trade-off).
REWRITE_THRESHOLD = 0.15


@dataclass(frozen=True, slots=True)
class Policy:
    """One hypothesis. A text that entails it with probability >= threshold gets `action`."""

    id: str
    hypothesis: str
    action: Action = "warn"
    category: str = "policy"
    threshold: float = 0.5
    created: float = 0.0
    builtin: bool = False
    must_entail: tuple[str, ...] = ()
    must_not_entail: tuple[str, ...] = ()
    wording: str = ""  # what the user typed, if the hypothesis checked is a rewrite of it

    @property
    def display(self) -> str:
        """The policy in the user's words (a built-in's hypothesis)."""
        return self.wording or self.hypothesis

    @property
    def rewritten(self) -> bool:
        return bool(self.wording) and self.wording != self.hypothesis


def _check_hypothesis(text: str) -> str:
    text = " ".join(str(text).split())
    if not text:
        raise ValueError('a policy needs a sentence, e.g. "This text contains our customers\' names."')
    if len(text) > MAX_HYPOTHESIS_CHARS:
        raise ValueError(f"a policy is one short sentence: at most {MAX_HYPOTHESIS_CHARS} characters")
    return text


# -- rewriting what the user typed into a statement the NLI model reads ---------------------------
@dataclass(frozen=True, slots=True)
class Rewrite:
    """What a policy is checked as: `hypothesis` at `threshold`, and why it differs from `wording`."""

    wording: str
    hypothesis: str
    threshold: float
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.hypothesis != self.wording


_I = re.IGNORECASE
# verbs that say a text is *about* something, and verbs that say it *holds* something
_ABOUT = (r"mentions?|mentioning|mentioned|discuss(?:es)?|discussing|describes?|describing|concerns?|concerning|"
          r"refers? to|referring to|relates? to|relating to|related to|deals? with|dealing with|covers?|covering|"
          r"involves?|involving|talks? about|talking about|(?:is|are) about|about|regarding|on")  # fmt: skip
_HOLDS = (r"contains?|containing|includes?|including|has|have|having|with|reveals?|revealing|shares?|sharing|"
          r"exposes?|exposing|leaks?|leaking|discloses?|disclosing|lists?|listing|shows?|showing|gives? away|"
          r"giving away|quotes?|quoting")  # fmt: skip
# what a person does with a text they are about to hand an assistant
_HAND = (r"paste|pastes|pasting|share|shares|sharing|send|sends|sending|copy|copies|copying|type|types|typing|"
         r"enter|enters|entering|upload|uploads|uploading|submit|submits|submitting|post|posts|posting|"
         r"include|includes|including|leak|leaks|leaking|put|puts|putting|give away|gives away|giving away|"
         r"disclose|discloses|disclosing|reveal|reveals|revealing|expose|exposes|exposing|use|uses|using")  # fmt: skip
_TALK = r"mention|mentions|mentioning|discuss|discusses|discussing|talk about|talks about|talking about|bring up"
_TEXT = (r"(?:(?:this|the|a|any|my|our|that|every)\s+)?(?:text|message|prompt|paste|input|document|content|snippet|"
         r"clipboard|request|chat|email|e-mail|file)s?|it")  # fmt: skip
_ANY = (r"anything|everything|something|any\s+text|any\s+texts|texts?|messages?|content|prompts?|pastes?|"
        r"documents?|whatever|stuff|things")  # fmt: skip
_WHO = r"i|we|someone|somebody|anyone|anybody|a user|users|people|you|my colleagues|colleagues|staff"
_ORDER = (r"block|warn(?:\s+me)?|flag|stop|catch|alert(?:\s+me)?|detect|reject|deny|refuse|report|notify\s+me|"
          r"tell\s+me|check(?:\s+for)?|watch(?:\s+out)?\s+for|look\s+for|filter(?:\s+out)?|forbid|disallow|prevent|"
          r"(?:don'?t|do\s+not|never)\s+(?:allow|accept|permit|pass)")  # fmt: skip
_LEAD = re.compile(rf"^(?:{_ORDER})\b\s*(?:(?P<prep>about|of|on|for|against)\s+)?(?P<rest>.+)$", _I)
_WHEN = re.compile(rf"^(?:when|if|whenever|in\s+case|once)\s+(?:{_WHO})\s+(?:(?:try|tries|want|wants|am|is|are|"
                   rf"start|starts)\s+(?:to\s+|about\s+to\s+))?(?P<verb>{_HAND}|{_TALK})\s+(?P<x>.+)$", _I)  # fmt: skip
_WHEN_TEXT = re.compile(rf"^(?:when|if|whenever|in\s+case)\s+(?:{_TEXT})\s+(?:that\s+)?(?P<verb>{_ABOUT}|{_HOLDS}|"
                        rf"is|are)\s+(?P<x>.+)$", _I)  # fmt: skip
_ANYTHING = re.compile(rf"^(?:{_ANY})\s+(?:(?:that|which|where|who)\s+)?(?P<verb>{_ABOUT}|{_HOLDS}|is|are|"
                       rf"(?:{_WHO})\s+(?:{_HAND}))\s+(?P<x>.+)$", _I)  # fmt: skip
_DONT = re.compile(rf"^(?:(?:don'?t|do\s+not|never|no|avoid|stop)\s+(?:ever\s+)?(?:let\s+(?:me|us|anyone|people|"
                   rf"users|staff)\s+|allow\s+(?:(?:me|us|anyone|people|users|staff)\s+)?(?:to\s+)?)?|(?:stop|prevent|"
                   rf"keep|block)\s+(?:me|us|anyone|people|users|staff)\s+from\s+)(?P<verb>{_HAND}|{_TALK})\s+"
                   rf"(?P<x>.+)$", _I)  # fmt: skip
_NO = re.compile(r"^(?:no|zero|never\s+any)\s+(?P<x>.+)$", _I)
_STATEMENT = re.compile(rf"^(?:{_TEXT})\s+(?:that\s+)?(?P<verb>{_ABOUT}|{_HOLDS}|is|are)\s+(?P<x>.+)$", _I)
_NEGATED = re.compile(r"\b(?:not|never|without|no\s+longer)\b|n't\b", _I)
# "anything about X", "any information on X": the object is the topic
_TOPIC = re.compile(r"^(?:anything|something|any\s+(?:information|info|details|data|mention|text|content)|"
                    r"information|info|details|mentions?)\s+(?P<prep>about|on|regarding|concerning|related\s+to|"
                    r"relating\s+to|of|with|containing|mentioning|from)\s+(?P<x>.+)$", _I)  # fmt: skip
# what only the user knows: whose repository, which company. The model reads the text alone.
_OWNED = re.compile(r"\s+(?:(?:that|which)\s+(?:is|are)\s+)?(?:from|in|at|of|within|inside|involving|belonging\s+to|"
                    r"owned\s+by|for|by|on)\s+(?:us|me|the\s+company|this\s+company|the\s+firm|(?:our|my|the)\s+"
                    r"(?:own\s+)?(?:internal\s+|private\s+|company\s+|corporate\s+)?(?:repository|repo|repos|"
                    r"codebase|code\s+base|systems?|servers?|network|company|team|organi[sz]ation|firm|business|"
                    r"department|infrastructure|monorepo|git\s*(?:hub|lab)?))\b.*$", _I)  # fmt: skip
# kinds of text rather than topics: measured on data/policies, the model mostly misses these
_KIND = re.compile(r"\b(?:code|scripts?|functions?|logs?|log\s+files?|sql|quer(?:y|ies)|"
                   r"cv|cvs|r[eé]sum[eé]s?|json|xml|csv|yaml|spreadsheets?|stack\s+traces?)\b", _I)  # fmt: skip
_OUR = re.compile(r"\b(?:our|my|your)\s+", _I)
_ANYONES = re.compile(r"\b(?:anyone|anybody|everyone|everybody)'s\b", _I)


def _verb(verb: str) -> str:
    """The verb a rewritten statement uses: "is" (what the text is), else "contains" or "mentions"."""
    v = " ".join(verb.lower().split())
    if v in ("is", "are"):
        return "is"
    if re.fullmatch(_HOLDS, v) or re.fullmatch(_HAND, v) or re.fullmatch(rf"(?:{_WHO})\s+(?:{_HAND})", v):
        return "contains"
    return "mentions"


def _read(text: str) -> tuple[str, str, str] | None:
    """(verb, object, form) of a policy, or None if no rule applies; form names the rule for the notes."""
    for pattern, form in ((_DONT, "an instruction not to share something"), (_NO, '"no …"')):
        m = pattern.match(text)
        if m:
            verb = m.groupdict().get("verb") or "contains"
            return ("mentions" if re.fullmatch(_TALK, verb, _I) else "contains"), m["x"], form
    m = _LEAD.match(text)
    if m:
        rest = m["rest"]
        for pattern in (_WHEN, _WHEN_TEXT, _ANYTHING):
            m2 = pattern.match(rest)
            if m2:
                verb = m2["verb"]
                return ("mentions" if re.fullmatch(_TALK, verb, _I) else _verb(verb)), m2["x"], "an order"
        about = (m["prep"] or "").lower() in ("about", "on")
        return ("mentions" if about else "contains"), rest, "an order"
    m = _ANYTHING.match(text)
    if m:
        return _verb(m["verb"]), m["x"], '"anything …"'
    m = _STATEMENT.match(text)
    if m:
        return _verb(m["verb"]), m["x"], "a statement"
    return None


def _as_typed(text: str, why: str) -> Rewrite:
    return Rewrite(text, text, AS_WRITTEN_THRESHOLD, (f"checked as typed: {why}",))


def rewrite(wording: str) -> Rewrite:
    """What a policy the user typed is checked as. Rules only; the user's words are kept beside it.

    Orders and prohibitions become a statement about the text ("Block anything that mentions X",
    "Don't paste X", "No X", "This text contains X" -> "This text mentions X."), "our"/"my" is read
    as "the", and a closing "from our repository" / "in our systems" / "involving the company" is
    left out (the model sees only the text, not whose it is). A bare noun phrase ("customer home
    addresses", with no full stop) is read as what the text mentions. A sentence no rule reads, or
    one that says what a text does *not* do, is checked as typed (at AS_WRITTEN_THRESHOLD).
    """
    text = _check_hypothesis(wording)
    core = re.sub(r"^(?:please|pls|kindly)[,\s]+", "", text.rstrip(" .!;:,"), flags=_I).strip()
    notes: list[str] = []
    read = _read(core)
    if read is None:
        if _NEGATED.search(core):
            return _as_typed(text, "it says what a text does not do, which a rewrite could turn around")
        if re.match(rf"(?:{_TEXT})\s", core, _I):  # a statement about the text already, with a verb of its own
            note = f"kept as typed: a statement about the text already; fires at {REWRITE_THRESHOLD:.0%} entailment"
            return Rewrite(text, text, REWRITE_THRESHOLD, (note,))
        sentence = text.endswith((".", "!", "?")) or re.search(r"[.;?]", core) or len(core.split()) > 12
        if sentence or re.fullmatch(rf"(?:{_ORDER}|no|please)", core, _I):
            return _as_typed(text, "no rule matched this sentence")
        verb, obj = "mentions", core  # a label such as "customer home addresses": what the text is about
        notes.append("read as what the text mentions")
    else:
        verb, obj, form = read
        if re.match(r"(?:when|if|whenever|unless|once|in\s+case)\b", obj, _I):
            return _as_typed(text, "no rule matched this sentence")
        if form != "a statement":
            notes.append(f"{form} read as a statement about the text")
    topic = _TOPIC.match(obj)
    if topic:
        obj = topic["x"]
        verb = "contains" if topic["prep"].lower() in ("with", "containing", "from") else "mentions"
    owned = _OWNED.search(obj)
    if owned and owned.start() > 0:
        notes.append(f'"{owned.group(0).strip()}" left out: the model reads only the text, not whose it is')
        obj = obj[: owned.start()]
    if _OUR.search(obj):
        obj = _OUR.sub("the ", obj)
        notes.append('"our"/"my" read as "the"')
    obj = _ANYONES.sub("someone's", obj).strip(" .!;:,")
    if not obj:
        return _as_typed(text, "nothing left to check once the order is taken away")
    if verb == "contains":  # measured: the model does not keep the two apart, and "mentions" it reads better
        notes.append("checked as what the text mentions: the model does not tell a text that holds something "
                     "from one that talks about it")  # fmt: skip
        verb = "mentions"
    hypothesis = f"This text {verb} {obj}."
    if len(hypothesis) > MAX_HYPOTHESIS_CHARS:
        return _as_typed(text, "the rewrite would be too long")
    if _KIND.search(obj):
        notes.append("a kind of text (code, logs, a CV …) is hard for the model to recognise, far harder than a "
                     "topic: try it on your own files with `tierwall policy test`")  # fmt: skip
    notes.append(f"fires at {REWRITE_THRESHOLD:.0%} entailment: the model rarely gives such statements more")
    return Rewrite(text, hypothesis, REWRITE_THRESHOLD, tuple(notes))


def load_builtin(root: Path | None = None) -> list[Policy]:
    """Every policy in assets/policies/*.toml, checked: ids unique, thresholds in (0, 1), actions known."""
    folder = (root or assets_dir()) / "policies"
    out: list[Policy] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.toml")):
        data = load_toml(path)
        for i, raw in enumerate(data.get("policy", [])):
            try:
                policy = Policy(
                    id=str(raw["id"]),
                    hypothesis=_check_hypothesis(raw["hypothesis"]),
                    action=raw.get("action", "block"),
                    category=str(raw["category"]),
                    threshold=float(raw["threshold"]),
                    builtin=True,
                    must_entail=tuple(raw.get("must_entail", ())),
                    must_not_entail=tuple(raw.get("must_not_entail", ())),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise AssetError(f"{path}: policy #{i + 1}: {exc}") from exc
            if policy.id in seen:
                raise AssetError(f"{path}: policy id {policy.id!r} is used twice")
            if policy.action not in ACTIONS or not 0 < policy.threshold < 1:
                raise AssetError(f"{path}: policy {policy.id}: action must be warn/block, threshold in (0, 1)")
            seen.add(policy.id)
            out.append(policy)
    if not out:
        raise AssetError(f"{folder}: no policies found")
    return out


class PolicyStore:
    """The user's own policies, persisted as JSON; thread-safe. Ids are "user-1", "user-2", ...

    Each policy keeps the user's words (`wording`) and what is checked (`hypothesis`, `threshold`),
    which `rewrite` makes from them unless the user asks for the words as written. A file from
    before rewriting (version 1: a hypothesis only) is read as the user's words and rewritten.
    """

    def __init__(self, path: Path | None, *, threshold: float = AS_WRITTEN_THRESHOLD) -> None:
        self.path = path
        self.threshold = threshold  # for a policy checked exactly as written
        self.problem: str | None = None  # set when a corrupt file was moved aside
        self.revision = 0  # bumped on every change: verdicts cached before it are stale
        self._lock = threading.Lock()
        self._policies: list[Policy] = []
        if path is not None and path.exists():
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            data = read_json(path)
            self._policies = [self._from_json(p) for p in data["policies"]]
            if any(p.action not in ACTIONS for p in self._policies):
                raise ValueError("unknown action")
            if any(not 0 < p.threshold < 1 for p in self._policies):
                raise ValueError("a threshold outside (0, 1)")
            if len({p.id for p in self._policies}) != len(self._policies):
                raise ValueError("an id is used twice")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._policies = []
            self.problem = set_aside(path, exc).describe("The policies file") + "; your policies were reset"

    def _from_json(self, row: dict[str, Any]) -> Policy:
        common = {"id": str(row["id"]), "action": row["action"], "created": float(row.get("created", 0))}
        if "wording" not in row:  # version 1: the user's sentence, checked as typed; read it as a rewrite would
            r = rewrite(row["hypothesis"])
            return Policy(hypothesis=r.hypothesis, threshold=r.threshold, wording=r.wording, **common)
        wording = _check_hypothesis(row["wording"])
        hypothesis = _check_hypothesis(row["hypothesis"])
        return Policy(hypothesis=hypothesis, threshold=float(row.get("threshold", self.threshold)), wording=wording,
                      **common)  # fmt: skip

    def list(self) -> list[Policy]:
        with self._lock:
            return list(self._policies)

    def get(self, policy_id: str) -> Policy | None:
        with self._lock:
            return next((p for p in self._policies if p.id == policy_id), None)

    def checked_as(self, wording: str, *, as_written: bool = False) -> Rewrite:
        """What `add` would check for these words (ValueError on bad input)."""
        if as_written:
            text = _check_hypothesis(wording)
            return Rewrite(text, text, self.threshold, ("checked as typed, as asked",))
        return rewrite(wording)

    def add(self, hypothesis: str, action: str = "warn", *, as_written: bool = False) -> Policy:
        """Add a policy in the user's words; ValueError with a clear message on bad input.

        The words are rewritten into what the NLI model reads (see `rewrite`) unless `as_written`.
        """
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
        r = self.checked_as(hypothesis, as_written=as_written)
        with self._lock:
            for p in self._policies:
                if p.display.lower() == r.wording.lower() or p.hypothesis.lower() == r.hypothesis.lower():
                    raise ValueError(f"that policy exists already: {p.id}, checked as: {p.hypothesis}")
            if len(self._policies) >= MAX_USER_POLICIES:
                raise ValueError(f"at most {MAX_USER_POLICIES} policies: each one costs an NLI pass per scan")
            number = 1 + max((int(p.id.split("-")[1]) for p in self._policies), default=0)
            policy = Policy(f"user-{number}", r.hypothesis, action, threshold=r.threshold, created=time.time(),
                            wording=r.wording)  # fmt: skip
            self._policies.append(policy)
            self._save()
            self.revision += 1
        return policy

    def remove(self, policy_id: str) -> bool:
        with self._lock:
            kept = [p for p in self._policies if p.id != policy_id]
            if len(kept) == len(self._policies):
                return False
            self._policies = kept
            self._save()
            self.revision += 1
            return True

    def _save(self) -> None:
        if self.path is None:
            return
        keys = ("id", "wording", "hypothesis", "action", "threshold", "created")
        rows = [{k: v for k, v in asdict(p).items() if k in keys} | {"wording": p.display} for p in self._policies]
        write_atomic(self.path, json.dumps({"version": 2, "policies": rows}, indent=1))
