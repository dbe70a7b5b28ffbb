"""What the checks and the CLI call: classify judgement sentences and actions.

Takes spaCy spans already parsed (the document's single parse, or ``nlp.parse_texts`` for
standalone lines), computes the features once, and applies the trained model from
models/ (falling back to the rules-only baseline when no model is installed, with a
warning in the result). Every answer carries a confidence and the words that decided it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from sfo_nlp import rules, settings
from sfo_nlp.learn import baseline, cues
from sfo_nlp.learn.dates import parse_date
from sfo_nlp.learn.action_features import action_features, addressee, addressee_level, date_cell_states_time
from sfo_nlp.learn.features import judgement_features
from sfo_nlp.learn.model import Bundle

if TYPE_CHECKING:
    from spacy.tokens import Span

NEEDS = ("tagger", "parser", "attribute_ruler", "lemmatizer")
_BOOL = {"True": True, "False": False}


def model_path(kind: str) -> Path:
    return Path(settings.MODELS_DIR) / f"{kind}.skops"


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Bundle:
    return Bundle.load(Path(path))


def load_model(kind: str) -> Bundle | None:
    """The installed model for ``kind`` (judgements | actions), or None if none is trained."""
    p = model_path(kind)
    if not p.is_file():
        return None
    return _load(str(p), p.stat().st_mtime)


def _value(v: str) -> Any:
    return _BOOL.get(v, None if v == "None" else v)


def _merge(pred: dict[str, tuple[str, float]]) -> tuple[dict[str, Any], dict[str, float]]:
    return {k: _value(v) for k, (v, _) in pred.items()}, {k: p for k, (_, p) in pred.items()}


# -- judgements ------------------------------------------------------------------------
def judgement_decided_by(span: "Span", f: dict) -> dict[str, list[str]]:
    why = {name: words[:3] for name, words in cues.hits("judgements", span.text).items()}
    subj = [k.split("=", 1)[1] for k in f if k.startswith(("subj_role=", "agent_role=", "poss_role="))]
    if subj:
        why["subject"] = subj
    return why


def _settled_not_judgement(f: dict) -> bool:
    settled = rules.load("judgements").get("not_judgement_if") or []
    return any(f.get(f"cue={name}") for name in settled)


def with_rules(f: dict) -> dict:
    """The feature dict plus the rules-only baseline's answers as features (a model trained
    with ``rules_as_features`` reads the rules' verdict, which carries across registers)."""
    r = baseline.judgement(f)
    out = dict(f)
    out["rules_judgement"] = 1.0 if r["is_judgement"] else 0.0
    out[f"rules_target={r['target']}"] = 1.0
    out[f"rules_polarity={r['polarity']}"] = 1.0
    return out


def model_features(feats: Sequence[dict], model: Bundle) -> list[dict]:
    """The feature dicts as ``model`` was trained on them."""
    return [with_rules(f) for f in feats] if model.opts.get("rules_as_features") else list(feats)


def classify_judgements(spans: Sequence["Span"], model: Bundle | None = None, use_model: bool = True,
                        raw: bool = False) -> list[dict[str, Any]]:
    """One answer per span. ``raw`` keeps target/polarity for non-judgements (for scoring)."""
    feats = [judgement_features(s) for s in spans]
    model = model if model is not None else (load_model("judgements") if use_model else None)
    out = classify_features([s.text for s in spans], feats, model, raw=raw)
    for span, f, res in zip(spans, feats, out):
        res["decided_by"] = judgement_decided_by(span, f)
        res["source"] = res.pop("source")  # keeps the output's key order: decided_by, then source
    return out


def classify_features(texts: Sequence[str], feats: Sequence[dict], model: Bundle | None,
                      raw: bool = True) -> list[dict[str, Any]]:
    """One answer per sentence from its text and feature dict (no parse needed: model
    selection reuses features computed once)."""
    preds = model.predict(list(texts), model_features(feats, model)) if model else [None] * len(texts)
    out = []
    for f, pred in zip(feats, preds):
        if pred is None:
            res = baseline.judgement(f)
            conf = 0.6
        else:
            res, probs = _merge(pred)
            conf = probs["is_judgement"]
            named = model.opts.get("target_from_subject") and baseline.subject_target(f, model.opts["target_from_subject"])
            # ... and with "subject_below", only where the model is unsure of the target
            if named and probs.get("target", 0.0) < float(model.opts.get("subject_below", 1.0)):
                res["target"] = named
            if res["is_judgement"]:
                conf = conf * probs.get("target", 1.0) ** 0.5
        if res["is_judgement"] and _settled_not_judgement(f):
            res["is_judgement"], conf = False, 1.0
        if not res["is_judgement"] and not raw:
            res["target"] = res["polarity"] = None
        res = {k: res.get(k) for k in ("is_judgement", "target", "polarity", "evidence", "why", "significance")}
        for k in ("evidence", "why", "significance"):
            res[k] = bool(res[k])
        res["confidence"] = round(float(conf), 3)
        res["source"] = "model" if pred is not None else "rules"
        out.append(res)
    return out


# -- actions ---------------------------------------------------------------------------
ACTION_CUE_OF = {"specific": ("concrete", "vague"), "measurable": ("measurable",), "time_bound": ("time_bound",),
                 "developmental": ("developmental", "weak", "strong"), "strength": ("strong", "weak")}


def _action_decided_by(text: str, fields: dict, res: dict, who: str = "") -> dict[str, list[str]]:
    owner_field, date_field = fields.get("owner", ""), fields.get("date", "")
    h = cues.hits("smart", text)
    why: dict[str, list[str]] = {}
    for feat, names in ACTION_CUE_OF.items():
        words = [w for n in names for w in h.get(n, [])][:4]
        if words:
            why[feat] = words
    owners = [m.group(0) for m in cues.owner_pattern().finditer(text)]
    if owner_field.strip():
        owners = [owner_field.strip()] + owners
    if owners:
        why["owner"] = owners[:3]
    if date_field.strip():
        why["time_bound"] = [date_field.strip()] + why.get("time_bound", [])
    if res["measurable"] and cues.ruleset("smart")["measurable"].find(fields.get("measure", "")):
        why["measurable"] = [fields["measure"].strip()[:80]]
    lv = cues.term_hits("levels", f"{owner_field} {text}").get(res["level"])
    if who and addressee_level(who) == res["level"]:
        lv = [who]  # "HMPPS should ...": the body addressed
    if level_of_cell(fields.get("level", "")):
        lv = [fields["level"].strip()]
    if lv:
        why["level"] = lv[:3]
    return why


def level_of_cell(cell: str) -> str | None:
    """The level a Level column states ("Individual", "PDU / local", "Multi-agency")."""
    text = cell.strip().lower()
    if not text:
        return None
    for lv in ("multi-agency", "national", "regional", "local", "individual"):
        if lv in text or lv.replace("-", " ") in text:
            return lv
    found = cues.term_hits("levels", cell)
    return next(iter(found)) if len(found) == 1 else None


_EMPTY_CELLS = ("", "-", "n/a", "tbc", "none", "not stated")


def _apply_columns(res: dict, probs: dict, fields: dict[str, str], text: str) -> None:
    """A row's own cells settle what they state, whatever the action text says: a named
    owner, a date or timescale (not "ongoing"), a measure of impact, a stated level."""
    owner, date_cell = fields.get("owner", "").strip(), fields.get("date", "").strip()
    measure = fields.get("measure", "").strip()
    if owner.lower() not in _EMPTY_CELLS:
        res["owner"], probs["owner"] = True, 1.0
    timescale = cues.ruleset("smart")["time_bound"]
    if date_cell.lower() not in _EMPTY_CELLS and (parse_date(date_cell) or date_cell_states_time(date_cell)):
        res["time_bound"], probs["time_bound"] = True, 1.0
    elif date_cell:  # the date column answers "ongoing", "TBC", "-": only the text can set a deadline
        res["time_bound"], probs["time_bound"] = bool(timescale.find(text)), 1.0
    # a measure cell counts when it measures impact (audit, sample, data, figures), not when it
    # only records completion ("certificate", "minutes"): then the action text decides
    if measure.lower() not in _EMPTY_CELLS and cues.ruleset("smart")["measurable"].find(measure):
        res["measurable"], probs["measurable"] = True, 1.0
    lv = level_of_cell(fields.get("level", ""))
    if lv:
        res["level"], probs["level"] = lv, 1.0


ACTION_KEYS = ("specific", "measurable", "owner", "time_bound", "level", "developmental", "strength")
MISSING_KEYS = ("specific", "measurable", "owner", "time_bound", "developmental")


def combination(name: str | None = None) -> dict[str, Any]:
    """How the rules and the model share the level and measurable answers: the named choice
    of ``combine`` in rules/smart.yaml (chosen by ``python -m sfo_nlp.learn.action_selection``
    on held-out labelled recommendations), or its default."""
    cfg = rules.load("smart").get("combine") or {}
    choices = cfg.get("choices") or {}
    return dict(choices.get(name or cfg.get("default", ""), {}))


def _partner_named(text: str) -> bool:
    return "multi-agency" in cues.term_hits("levels", text)


def _combine(res: dict, probs: dict, f: dict, rules_res: dict, text: str, fl: dict, how: dict) -> None:
    """Let the rules settle what they state plainly, with the model deciding the rest.

    level: with ``level: addressee`` the level of the body an action is addressed to
    ("HMPPS should ..." is national) overrides the model when it is one of
    ``addressee_levels`` (a role such as "the SPO" may be acting on their own practice, an
    individual action); ``owner_cell`` lets the owner cell name the body when the text does
    not; ``unless_partner`` leaves the model to decide when a partner body is named
    elsewhere ("HMPPS should agree with the police ..." may be multi-agency);
    ``bare_imperative`` gives that level to an imperative with no addressee, owner or level
    term (tried in the sixth session: better on recommendations, worse on plan rows).
    measurable: "model_and_rule" is true only when the model says so and the wording names
    a measure (rule ``measurable``); a number is the probability the model's yes must reach."""
    if how.get("level", "model") == "addressee":
        lv = next((k.split("=", 1)[1] for k in f if k.startswith("addressee_level=")), None)
        lv = lv or addressee_level(fl.get("addressee", ""))  # a lead-in above a list plan
        if lv is None and how.get("owner_cell"):
            lv = addressee_level(fl.get("owner", ""))
        allowed = how.get("addressee_levels") or ("individual", "local", "regional", "national", "multi-agency")
        partner_elsewhere = how.get("unless_partner") and lv != "multi-agency" and _partner_named(text)
        if lv in allowed and not partner_elsewhere:
            res["level"], probs["level"] = lv, max(probs.get("level", 0.0), 0.9)
        elif lv is None and how.get("bare_imperative") and f.get("imperative") and not fl.get("owner") \
                and not cues.term_hits("levels", text):
            # a recommendation written without its lead-in ("Review the guidance on ...")
            res["level"] = how["bare_imperative"]
    m_how = how.get("measurable", "model")
    if m_how == "model_and_rule" and res["measurable"] and not rules_res["measurable"]:
        res["measurable"], probs["measurable"] = False, 1.0 - probs.get("measurable", 0.5)
    elif isinstance(m_how, (int, float)) and res["measurable"] and probs.get("measurable", 1.0) < m_how:
        res["measurable"], probs["measurable"] = False, 1.0 - probs["measurable"]


def classify_actions(spans: Sequence["Span"], fields: Sequence[dict] | None = None,
                     model: Bundle | None = None, use_model: bool = True,
                     combine: dict | None = None) -> list[dict[str, Any]]:
    """One answer per action span; ``fields`` are its row's cells (owner, date, measure, level);
    ``combine`` overrides the rule-model combination of rules/smart.yaml (for selection)."""
    fields = list(fields or [{}] * len(spans))
    how = combination() if combine is None else combine
    owners = [fl.get("owner", "") for fl in fields]
    dates = [fl.get("date", "") for fl in fields]
    feats = [action_features(s, o, d) for s, o, d in zip(spans, owners, dates)]
    model = model if model is not None else (load_model("actions") if use_model else None)
    texts = [s.text for s in spans]
    preds = model.predict(texts, feats) if model else [None] * len(spans)
    out = []
    for span, text, f, fl, pred in zip(spans, texts, feats, fields, preds):
        rules_res = baseline.action(f)
        if pred is None:
            res, probs = dict(rules_res), {}
        else:
            res, probs = _merge(pred)
            _combine(res, probs, f, rules_res, text, fl, how)
        _apply_columns(res, probs, fl, text)
        res = {k: res.get(k) for k in ACTION_KEYS}
        for k in MISSING_KEYS:
            res[k] = bool(res[k])
        res["strength"] = res["strength"] or rules_res["strength"]
        res["level"] = res["level"] or rules_res["level"]
        res["missing"] = [k for k in MISSING_KEYS if not res[k]]
        when = parse_date(fl.get("date", "")) or parse_date(text)
        res["date"] = when.isoformat() if when else None
        res["confidence"] = round(min(probs.values()) if probs else 0.6, 3)
        res["confidences"] = {k: round(v, 3) for k, v in probs.items()}
        res["decided_by"] = _action_decided_by(text, fl, res, addressee(span))
        res["source"] = "model" if pred is not None else "rules"
        out.append(res)
    return out
