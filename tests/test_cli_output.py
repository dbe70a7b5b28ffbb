"""Output files: never overwrite the input, refuse a missing folder before any work."""

MD = "# Summary\n\nThe probation practitioner did not review the risk assessment.\n"


def test_output_onto_input_is_refused_and_input_kept(tmp_path, run_cli):
    review = tmp_path / "review.txt"
    review.write_text(MD)
    code, out, err = run_cli("extract", review, "--output", review)
    assert code == 2
    assert err.startswith("error: ") and "input file" in err
    assert review.read_text() == MD
    # extract writes no Markdown, so a .md name is refused before the input is compared
    review = review.rename(tmp_path / "review.md")
    code, out, err = run_cli("extract", review, "--output", review)
    assert code == 2 and err.startswith("error: ") and review.read_text() == MD


def test_output_in_missing_folder_is_refused(tmp_path, run_cli):
    review = tmp_path / "review.md"
    review.write_text(MD)
    code, out, err = run_cli("extract", review, "--output", tmp_path / "nope" / "out.txt")
    assert code == 2
    assert "does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_output_written_whole(tmp_path, run_cli):
    review = tmp_path / "review.md"
    review.write_text(MD)
    out_file = tmp_path / "out.json"
    code, out, err = run_cli("extract", review, "--format", "json", "--output", out_file)
    assert code == 0, err
    assert out_file.read_text().startswith("{")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
