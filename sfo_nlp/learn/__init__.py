"""Features, training, inference and model IO for the judgement and action models.

- ``cues``: the typed YAML rules (rules/judgements.yaml, smart.yaml, roles.yaml) compiled once.
- ``features``: spaCy linguistic features of a judgement sentence or an action text.
- ``baseline``: the rules-only classifier (the comparison's floor, and the fallback).
- ``model``: a scikit-learn bundle (TF-IDF + feature dicts -> one head per label), saved with skops.
- ``data``: the labelled corpus, the gold review files and the dev-real validation set.
- ``train``: ``sfo-nlp train``; ``infer``: what the checks and CLI call.
"""
