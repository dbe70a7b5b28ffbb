"""Work across many reviews: batch pre-screening into the store (batch.py), the triage
ranking (triage.py), and practice themes across the stored paragraphs (themes.py for the
seeded taxonomy, discovery.py for NMF topics, theme_analysis.py for prevalence,
theme_outputs.py and charts.py for CSV, PNG and HTML, lemma_cache.py for speed)."""
