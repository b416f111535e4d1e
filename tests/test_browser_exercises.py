"""Exercises answered in the built pages, in headless Chromium (static/gvx-check.js).

Every number-or-choice exercise gets a form under its starter cell: labelled inputs, a Check
button, Enter works, the verdict in an ``aria-live`` region with the notebook's text and
colours; the whole thing by keyboard alone and on a 390 px phone; progress kept in
``localStorage``, shown in the chapter and on the intro, and forgotten on request; and it
works from ``file://`` with no request leaving the page. Code exercises point to the learner
notebook. The verdicts themselves are compared with gradlab's in tests/test_page_checkers.py;
here the page must show them.
"""

from __future__ import annotations

import json

import pytest
from _browser import HTML, PHONE_WIDTH, chapter_pages, load

from gradlab import exercises
from gradlab.exercises import PageExercise
from gradlab.exercises._core import _STRESS

pytestmark = pytest.mark.html
CHAPTERS = chapter_pages()
INTRO = "book/intro.html"


def _chapter(path: str) -> int:
    return int(path.rsplit("/", 1)[1][:2])


def _right(exercise: PageExercise) -> dict[str, str]:
    """The right answer, as a reader enters it."""
    right: dict[str, str] = {}
    for f in exercise.fields:
        if f.options:
            right[f.name] = next(o.value for o in f.options if o.outcome is None)
        else:
            right[f.name] = repr(f.rule_for(right).expected)
    return right


def _wrong(exercise: PageExercise) -> dict[str, str]:
    """A wrong answer: the first field wrong (another option, or a number far off)."""
    right = _right(exercise)
    first = exercise.fields[0]
    if first.options:
        return {**right, first.name: next(o.value for o in first.options if o.outcome)}
    return {**right, first.name: repr(first.rule_for(right).expected * 3 + 7)}


def _enter(page, exercise: PageExercise, values: dict[str, str]) -> None:
    for f in exercise.fields:
        selector = f"#gvx-{exercise.label}-{f.name}"
        if f.options:
            page.select_option(selector, values[f.name])
        else:
            page.fill(selector, values[f.name])


def _verdict(page, exercise: PageExercise) -> str:
    return page.locator(f'form[aria-label$="Exercise {exercise.number}"] .gvx-verdict').inner_text()


def _page_exercises(chapter: int) -> list[PageExercise]:
    return [d for d in exercises.catalogue(chapter) if isinstance(d, PageExercise)]


def _expect(verdict: exercises.Feedback) -> list[str]:
    return [verdict.message] + ([verdict.hint] if verdict.hint else [])


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_exercise_form_checks_like_the_notebook(open_page, path):
    page, log = open_page(path)
    chapter = _chapter(path)
    for exercise in _page_exercises(chapter):
        form = page.locator(f'form[aria-label="Check your answer to Exercise {exercise.number}"]')
        assert form.count() == 1, exercise.number
        live = form.locator(".gvx-verdict")
        assert live.get_attribute("role") == "status"
        assert live.get_attribute("aria-live") == "polite"
        assert "Not attempted yet" in live.inner_text()
        for f in exercise.fields:  # every input has its label
            field = page.locator(f"#gvx-{exercise.label}-{f.name}")
            assert page.locator(f'label[for="gvx-{exercise.label}-{f.name}"]').inner_text()
            assert field.evaluate("e => e.labels.length") == 1
        for values, title in ((_wrong(exercise), "Not quite"), (_right(exercise), "Correct")):
            _enter(page, exercise, values)
            form.locator("button.gvx-check-button").click()
            shown = _verdict(page, exercise)
            assert title in shown, (exercise.number, shown)
            for text in _expect(exercise.check_text(values)):
                # *word* is shown in italics, without the asterisks (as in the notebook)
                plain = _STRESS.sub(r"\1", text)
                assert plain in shown.replace("\n", " "), (exercise.number, plain)
    assert log.problems() == []


def test_enter_checks_and_stress_shows_in_italics(open_page):
    page, _ = open_page(CHAPTERS[0])
    depth = exercises.ch1.DEPTH_PAGE
    page.fill("#gvx-ch1-ex-depth-answer", repr(exercises.ch1.DEPTH - 1))
    page.press("#gvx-ch1-ex-depth-answer", "Enter")
    box = page.locator('form[aria-label$="Exercise 1.1"] .gradlab-feedback')
    assert box.get_attribute("class") == "gradlab-feedback gradlab-incorrect"
    assert box.locator("em").inner_text() == "below"  # "the first depth *below* the threshold"
    colours = box.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert colours == ["rgb(252, 232, 230)", "rgb(165, 14, 14)"]  # the notebook's #fce8e6, #a50e0e
    assert depth.check_text({"answer": "1,5"}).hint in _typed(page, "1,5")


def _typed(page, text: str) -> str:
    page.fill("#gvx-ch1-ex-depth-answer", text)
    page.press("#gvx-ch1-ex-depth-answer", "Enter")
    return page.locator('form[aria-label$="Exercise 1.1"] .gvx-verdict').inner_text()


def test_keyboard_only_tab_type_and_press_check(open_page):
    """From the starter cell's code, Tab reaches the input, then Check; Space on Check gives the
    verdict, which the live region (kept, its content replaced) carries."""
    page, _ = open_page(CHAPTERS[0])
    exercise = exercises.ch1.GAIN_PAGE
    field = page.locator(f"#gvx-{exercise.label}-answer")
    field.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"gvx-{exercise.label}-answer"
    live = page.locator('form[aria-label$="Exercise 1.3"] .gvx-verdict')
    live.evaluate("e => { e.dataset.kept = 'yes'; }")
    page.keyboard.type(_right(exercise)["answer"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Space")
    assert "Correct" in live.inner_text()
    assert live.get_attribute("data-kept") == "yes"  # same region: screen readers hear it


@pytest.mark.parametrize("path", CHAPTERS)
def test_forms_fit_a_phone(open_page, path):
    page, _ = open_page(path, width=PHONE_WIDTH)
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.gvx-check-form, .gvx-check-form input, '
            + '.gvx-check-form select, .gvx-check-button, .gvx-code-exercise')].map(e => {
            const r = e.getBoundingClientRect();
            return [e.tagName, r.left, r.right, parseFloat(getComputedStyle(e).fontSize)]; })"""
    )
    assert boxes
    for tag, left, right, size in boxes:
        assert left >= 0 and right <= PHONE_WIDTH, (tag, left, right)
        if tag in ("INPUT", "SELECT"):
            assert size >= 16, (tag, size)  # phones do not zoom in on the field
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    exercise = _page_exercises(_chapter(path))[0]
    _enter(page, exercise, _right(exercise))
    page.locator(f'form[aria-label$="Exercise {exercise.number}"] button').click()
    assert "Correct" in _verdict(page, exercise)


def test_progress_is_kept_shown_on_the_intro_and_forgotten(book, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        load(page, book.url(CHAPTERS[0]))
        progress = page.locator(".gvx-progress")
        count = progress.locator(".gvx-progress-count")
        total = len(_page_exercises(1))
        assert progress.is_visible() and count.inner_text() == f"0 of {total} correct"
        rate = exercises.ch1.RATE_PAGE
        _enter(page, rate, _right(rate))
        page.press(f"#gvx-{rate.label}-answer", "Enter")
        assert count.inner_text() == f"1 of {total} correct"
        _enter(page, exercises.ch1.DEPTH_PAGE, {"answer": "7"})
        page.press("#gvx-ch1-ex-depth-answer", "Enter")
        assert count.inner_text() == f"1 of {total} correct"  # a wrong answer counts no more

        page.reload()  # kept in the browser
        assert count.inner_text() == f"1 of {total} correct"
        assert page.input_value(f"#gvx-{rate.label}-answer") == _right(rate)["answer"]
        assert "Correct" in _verdict(page, rate)
        assert "Not quite" in _verdict(page, exercises.ch1.DEPTH_PAGE)

        load(page, book.url(INTRO))
        column = page.locator("td.gvx-progress-column")
        assert page.locator("th.gvx-progress-column").inner_text() == "Your answers"
        cells = column.all_inner_texts()
        assert cells == [
            f"{1 if c == 1 else 0} of {len(_page_exercises(c))} correct" for c in range(1, 7)
        ]
        assert "nothing is sent anywhere" in page.locator(".gvx-progress-index").inner_text()
        forget = page.locator(".gvx-progress-index button.gvx-forget")
        forget.click()  # the first click only asks
        assert forget.inner_text() == "Click again to forget them"
        assert column.first.inner_text() == f"1 of {total} correct"
        forget.click()
        assert column.first.inner_text() == f"0 of {total} correct"
        assert forget.inner_text() == "Forget all my answers"

        load(page, book.url(CHAPTERS[0]))
        assert count.inner_text() == f"0 of {total} correct"
        assert page.input_value(f"#gvx-{rate.label}-answer") == ""
        # the chapter's own control clears the chapter's answers
        _enter(page, rate, _right(rate))
        page.press(f"#gvx-{rate.label}-answer", "Enter")
        assert count.inner_text() == f"1 of {total} correct"
        progress.locator("button.gvx-forget").click()
        assert count.inner_text() == f"1 of {total} correct"
        progress.locator("button.gvx-forget").click()
        assert count.inner_text() == f"0 of {total} correct"
        assert page.input_value(f"#gvx-{rate.label}-answer") == ""
        assert "Not attempted yet" in _verdict(page, rate)
        assert page.evaluate("JSON.parse(localStorage.getItem('gvx-exercises/v1'))") == {}
    finally:
        context.close()


def test_checking_works_from_file_with_no_request_leaving_the_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((HTML / CHAPTERS[-1]).as_uri(), wait_until="load")
        diagnose = exercises.ch6.diagnose_page()
        _enter(page, diagnose, _right(diagnose))
        page.locator('form[aria-label$="Exercise 6.3"] button').click()
        assert "Correct" in _verdict(page, diagnose)
        assert page.locator(".gvx-progress-count").inner_text().startswith("1 of ")
    finally:
        context.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []


@pytest.mark.parametrize("path", CHAPTERS)
def test_code_exercises_point_to_the_learner_notebook(open_page, book, path):
    page, _ = open_page(path)
    code = [d for d in exercises.catalogue(_chapter(path)) if not isinstance(d, PageExercise)]
    notes = page.locator(".gvx-code-exercise")
    assert notes.count() == len(code) >= 1
    for k, described in enumerate(code):
        note = notes.nth(k)
        assert described.tests in note.inner_text().replace("\n", " ").replace("\u2019", "'")
        href = note.locator("a.download").get_attribute("href")
        assert href.endswith("_learner.ipynb")
        response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
        assert response.ok and b'"exercises.progress(' in response.body()


def test_without_javascript_the_form_says_how_to_check(book):
    html = (HTML / CHAPTERS[0]).read_text(encoding="utf-8")
    assert html.count('class="gvx-check"') == len(_page_exercises(1))
    assert "Checking your answer on this page needs JavaScript" in html
    assert '<div class="gvx-progress" hidden>' in html  # shown by the script only


@pytest.mark.parametrize("path", CHAPTERS)
def test_the_pages_own_data_and_script_agree_with_gradlab(open_page, path):
    """In Chromium, on the built page: the data the build embedded and the script the page
    loaded give gradlab's verdict, message and hint on every answer of the agreement test."""
    from test_page_checkers import answer_sets

    page, _ = open_page(path)
    embedded = page.evaluate("JSON.parse(document.getElementById('gvx-check-data').textContent)")
    chapter = _chapter(path)
    assert embedded == json.loads(json.dumps(exercises.page_data(chapter)))
    for exercise in _page_exercises(chapter):
        answers = answer_sets(exercise)
        got = page.evaluate(
            """([label, answers]) => {
                const data = JSON.parse(document.getElementById('gvx-check-data').textContent);
                const exercise = data.exercises.find(e => e.label === label);
                return answers.map(v => GvxCheck.checkExercise(exercise, v));
            }""",
            [exercise.label, answers],
        )
        for values, verdict in zip(answers, got, strict=True):
            want = exercise.check_text(values)
            assert verdict == {"status": want.status, "message": want.message, "hint": want.hint}


def test_exercises_that_need_python_say_so_above_their_form(open_page):
    page, _ = open_page(CHAPTERS[4])
    note = page.locator('form[aria-label$="Exercise 5.3"] .gvx-check-note')
    assert note.inner_text() == exercises.ch5.decide_page().note
    assert "norm_history" in note.inner_text()
    assert page.locator('form[aria-label$="Exercise 5.2"] .gvx-check-note').count() == 0


def test_the_check_button_is_readable_in_both_modes(book, browser):
    """White on the dark mode's light blue was 3.3:1; the button's text takes the page's
    background colour: at least 4.5:1 (WCAG AA) in light and dark mode."""

    def luminance(rgb: list[float]) -> float:
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            page = context.new_page()
            load(page, book.url(CHAPTERS[0]))
            colours = page.evaluate(
                """() => { const s = getComputedStyle(document.querySelector('.gvx-check-button'));
                    return [s.color, s.backgroundColor].map(c => c.match(/[\\d.]+/g).slice(0, 3)
                        .map(Number)); }"""
            )
        finally:
            context.close()
        a, b = sorted(luminance(c) for c in colours)
        assert (b + 0.05) / (a + 0.05) >= 4.5, (scheme, colours)
