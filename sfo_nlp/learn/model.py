"""A trained model bundle: TF-IDF over the words plus (for the combined model) the
linguistic feature dicts, and one scikit-learn classifier per label. Saved with skops
(never pickle): the bundle holds only scikit-learn, NumPy and SciPy objects, and loading
refuses any type outside the allow-list below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy.sparse import csr_matrix, hstack

from sfo_nlp.errors import SfoError

SEED = 0
# Types skops may rebuild from a model file: these and nothing else.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.sparse.", "builtins.")


def _vectorisers(kind: str):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True,
                            max_features=8000, token_pattern=r"(?u)\b\w[\w'-]*\b")
    dv = DictVectorizer(sparse=True) if kind == "combined" else None
    return tfidf, dv


def _classifier(n_classes: int):
    from sklearn.linear_model import LogisticRegression

    # balanced weights: targets and levels are skewed (individual dominates in real reviews)
    return LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced", random_state=SEED)


class Bundle:
    """Vectorisers + one head per label. ``kind`` is "bow" (words only) or "combined"."""

    def __init__(self, kind: str, labels: Sequence[str], data: dict | None = None):
        self.kind = kind
        self.labels = tuple(labels)
        self.data = data or {}

    # -- training ---------------------------------------------------------------
    def fit(self, texts: list[str], feats: list[dict], y: dict[str, list], mask: dict[str, list[bool]] | None = None):
        """Fit on ``texts``/``feats``; ``y[label]`` per item; ``mask[label]`` marks the items a
        head learns from (e.g. target only from judgement sentences)."""
        tfidf, dv = _vectorisers(self.kind)
        tfidf.fit(texts)
        tfidf.stop_words_ = None  # the discarded vocabulary: only bloats the saved file
        if dv is not None:
            dv.fit(feats)
        self.data = {"kind": self.kind, "labels": list(self.labels), "tfidf": tfidf, "dv": dv, "heads": {}}
        X = self._matrix(texts, feats)
        for label in self.labels:
            keep = np.array(mask[label] if mask and label in mask else [True] * len(texts), dtype=bool)
            ys = np.array([str(v) for v in y[label]], dtype=object)[keep]
            classes = sorted(set(ys))
            if len(classes) < 2:
                self.data["heads"][label] = {"constant": classes[0] if classes else "None"}
                continue
            clf = _classifier(len(classes))
            clf.fit(X[keep], ys.astype(str))
            self.data["heads"][label] = {"model": clf}
        return self

    def _matrix(self, texts: list[str], feats: list[dict]):
        parts = [self.data["tfidf"].transform(texts)]
        if self.data.get("dv") is not None:
            parts.append(self.data["dv"].transform(feats))
        return csr_matrix(hstack(parts))

    # -- inference --------------------------------------------------------------
    def predict(self, texts: list[str], feats: list[dict]) -> list[dict[str, tuple[str, float]]]:
        """Per item: label -> (predicted value as string, probability of that value)."""
        if not texts:
            return []
        X = self._matrix(texts, feats)
        out: list[dict[str, tuple[str, float]]] = [{} for _ in texts]
        for label, head in self.data["heads"].items():
            if "constant" in head:
                for row in out:
                    row[label] = (head["constant"], 1.0)
                continue
            clf = head["model"]
            proba = clf.predict_proba(X)
            best = proba.argmax(axis=1)
            for i, row in enumerate(out):
                row[label] = (str(clf.classes_[best[i]]), float(proba[i, best[i]]))
        return out

    # -- IO -----------------------------------------------------------------------
    def save(self, path: Path) -> None:
        import skops.io as sio

        from sfo_nlp.cli.common import write_atomic

        import zipfile

        # NumPy ints in a vocabulary become one zip member each (16,000 files, 0.7 s to load);
        # plain ints are stored as one JSON object.
        for vec in (self.data.get("tfidf"), self.data.get("dv")):
            if vec is not None and hasattr(vec, "vocabulary_"):
                vec.vocabulary_ = {term: int(i) for term, i in vec.vocabulary_.items()}
        write_atomic(Path(path), sio.dumps(self.data, compression=zipfile.ZIP_DEFLATED, compresslevel=9))
        Path(path).chmod(0o644)

    @classmethod
    def load(cls, path: Path) -> "Bundle":
        import skops.io as sio

        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SfoError(f"cannot read model {path}: {exc.strerror}") from exc
        try:
            untrusted = sio.get_untrusted_types(data=raw)
            bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
            if bad:
                raise SfoError(f"model {path.name} holds types this tool does not trust: {', '.join(bad[:3])}")
            data: Any = sio.loads(raw, trusted=untrusted)
        except SfoError:
            raise
        except Exception as exc:  # a corrupt or foreign file
            raise SfoError(f"model {path.name} cannot be read ({type(exc).__name__}); run: sfo-nlp train") from exc
        if not isinstance(data, dict) or "heads" not in data:
            raise SfoError(f"model {path.name} is not an sfo-nlp model; run: sfo-nlp train")
        return cls(data["kind"], data["labels"], data)
