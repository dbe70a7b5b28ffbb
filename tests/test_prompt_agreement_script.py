"""scripts/prompt_agreement.py: drafts against gold for chosen reviews of any split."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "prompt_agreement.py"


def _script():
    spec = importlib.util.spec_from_file_location("prompt_agreement", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_scores_the_chosen_review_and_writes_its_prompts(tmp_path, capsys):
    import json

    out = tmp_path / "agree.json"
    assert _script().main(["--split", "test", "--reviews", "sfo-11", "--json", str(out)]) == 0
    per_prompt = json.loads(out.read_text())["sfo-11"]
    assert len(per_prompt) == 34
    agree = sum(per_prompt.values())
    assert f"prompt agreement: {agree}/34 = {agree / 34:.3f} (1 reviews" in capsys.readouterr().out


def test_unknown_review_is_a_one_line_error(capsys):
    assert _script().main(["--split", "test", "--reviews", "sfo-99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "sfo-99" in err and err.count("\n") == 1
