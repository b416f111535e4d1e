/* Exercise checkers in the HTML book: answer, get the checker's verdict and hint, see progress.
 *
 * The build (tools/gvx_exercises.py) writes each chapter's exercises as data into the page
 * (<script type="application/json" id="gvx-check-data">, made by gradlab.exercises.page_data):
 * for every number its rule (accepted interval, hint regions in order, fallback), for every
 * choice its options and their verdicts. This script evaluates that data on what the reader
 * enters. It is the JavaScript twin of gradlab.exercises' PageExercise.check_text: the tests
 * (tests/test_page_checkers.py) run both on the same answers and require the same verdicts,
 * messages and hints. No request leaves the page; it works from file://.
 *
 * Progress: each verdict is kept in this browser (localStorage, key STORE); the chapter's
 * exercise section shows "2 of 3 correct", the intro's chapter table each chapter's count, and
 * "Forget my answers" clears them. Nothing is sent anywhere.
 */
var GvxCheck = (function () {
  "use strict";

  // --- numbers as gradlab shows them (Python's _show: an integer, else "%.6g") -------------

  function bitsOf(x) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    var hi = view.getUint32(0);
    var lo = view.getUint32(4);
    var exponent = (hi >>> 20) & 0x7ff;
    var mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (exponent === 0) return [mantissa, -1074]; // subnormal
    return [mantissa | (1n << 52n), exponent - 1075];
  }

  // The exact decimal value of a positive finite double: [digits, k] with x = digits * 10^-k.
  function exactDecimal(x) {
    var parts = bitsOf(x);
    var m = parts[0];
    var e = parts[1];
    if (e >= 0) return [(m << BigInt(e)).toString(), 0];
    return [(m * 5n ** BigInt(-e)).toString(), -e];
  }

  // "1.2300" -> "1.23", "100." -> "100" (Python's %g drops trailing zeros and the point).
  function stripZeros(text) {
    return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, "");
  }

  // Python's format(x, ".6g") for a finite, non-zero x: round half to even on the exact value.
  function formatG(x, precision) {
    var sign = x < 0 ? "-" : "";
    var found = exactDecimal(Math.abs(x));
    var digits = found[0].replace(/^0+/, "");
    var exponent = digits.length - 1 - found[1];
    var kept = digits.slice(0, precision);
    var rest = digits.slice(precision);
    while (kept.length < precision) kept += "0";
    var up = false;
    if (rest.length > 0) {
      var first = rest.charCodeAt(0) - 48;
      var tail = /[1-9]/.test(rest.slice(1));
      if (first > 5 || (first === 5 && tail)) up = true;
      else if (first === 5 && !tail) up = (kept.charCodeAt(kept.length - 1) - 48) % 2 === 1;
    }
    if (up) {
      var bumped = (BigInt(kept) + 1n).toString();
      if (bumped.length > precision) {
        exponent += 1;
        bumped = bumped.slice(0, precision);
      }
      kept = bumped;
    }
    var body;
    if (exponent >= -4 && exponent < precision) {
      if (exponent >= 0) {
        body = kept.slice(0, exponent + 1) + "." + kept.slice(exponent + 1);
      } else {
        body = "0." + "0".repeat(-exponent - 1) + kept;
      }
      return sign + stripZeros(body);
    }
    var mantissa = stripZeros(kept[0] + "." + kept.slice(1));
    var ex = Math.abs(exponent);
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (ex < 10 ? "0" : "") + ex;
  }

  function showNumber(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x === 0 ? 0 : x);
    return formatG(x, 6);
  }

  // --- text typed into the page (gradlab.exercises._core.parse_typed) ----------------------

  var BLANK = {};
  var NUMBER_TEXT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  var SPECIAL_TEXT = /^([+-]?)(inf|infinity|nan)$/i;
  var COMMA_DECIMAL = /^[+-]?[0-9]*(?:,[0-9]+)+(?:[eE][+-]?[0-9]+)?$/;
  var TEXT_HINT =
    "Type one plain number, such as 17, -0.25 or 3.5e-4: no letters, units or formulas.";
  var COMMA_HINT =
    "Write decimals with a point, not a comma (0.25, not 0,25), and no thousands separator.";
  var FINITE_HINT =
    "Check for a division by zero, a log of zero or an overflow in your computation.";
  var WHOLE_HINT =
    "The answer is a count (of layers, of units): give the right whole number.";

  function trim(text) {
    return text.replace(/^[ \t\r\n\u00a0]+|[ \t\r\n\u00a0]+$/g, "").replace(/\u2212/g, "-");
  }

  function parseTyped(text) {
    var t = trim(text);
    if (t === "") return BLANK;
    if (NUMBER_TEXT.test(t)) return Number(t);
    var special = SPECIAL_TEXT.exec(t);
    if (special) {
      var value = special[2].toLowerCase() === "nan" ? NaN : Infinity;
      return special[1] === "-" ? -value : value;
    }
    return null;
  }

  // --- rules (gradlab.exercises._core.NumberRule) ------------------------------------------

  function inInterval(part, v) {
    var lo = part[0] === null ? -Infinity : part[0];
    var hi = part[1] === null ? Infinity : part[1];
    var above = part[2] ? v > lo : v >= lo;
    var below = part[3] ? v < hi : v <= hi;
    return above && below;
  }

  function inRegion(parts, v) {
    for (var i = 0; i < parts.length; i++) if (inInterval(parts[i], v)) return true;
    return false;
  }

  function verdict(status, message, hint) {
    return { status: status, message: message, hint: hint || "" };
  }

  function judge(rule, value) {
    var finite = Number.isFinite(value);
    var whole = finite && value === Math.floor(value);
    if (finite && inInterval(rule.accept, value) && (whole || !rule.integer)) {
      return verdict("correct", rule.what + " = " + showNumber(value) + ".");
    }
    var wrong = showNumber(value) + " is not " + rule.what + ".";
    if (finite) {
      for (var i = 0; i < rule.hints.length; i++) {
        if (inRegion(rule.hints[i][0], value)) return verdict("incorrect", wrong, rule.hints[i][1]);
      }
    }
    if (!finite) {
      return verdict(
        "incorrect",
        rule.what + " must be a finite number, got " + showNumber(value) + ".",
        FINITE_HINT
      );
    }
    if (rule.integer && !whole) {
      return verdict(
        "incorrect",
        rule.what + " must be a whole number, got " + showNumber(value) + ".",
        WHOLE_HINT
      );
    }
    if (rule.fewerHint && inRegion(rule.fewer, value)) {
      return verdict("incorrect", wrong, rule.fewerHint);
    }
    return verdict("incorrect", wrong, rule.fallback);
  }

  function checkText(rule, text, blank) {
    var value = parseTyped(text);
    if (value === BLANK) return verdict("not attempted", blank);
    if (value === null) {
      var hint = COMMA_DECIMAL.test(trim(text)) ? COMMA_HINT : TEXT_HINT;
      return verdict("incorrect", "expected " + rule.what + " as a single number.", hint);
    }
    return judge(rule, value);
  }

  // --- exercises (gradlab.exercises._page.PageExercise.check_text) --------------------------

  function checkExercise(exercise, values) {
    var chosen = {};
    var last = null;
    for (var i = 0; i < exercise.fields.length; i++) {
      var field = exercise.fields[i];
      var value = Object.prototype.hasOwnProperty.call(values, field.name)
        ? values[field.name]
        : "";
      if (field.kind === "choice") {
        if (value === "") return verdict("not attempted", field.blank);
        var option = null;
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].value === value) option = field.options[j];
        }
        if (option === null) throw new Error(value + " is not an option of " + field.name);
        chosen[field.name] = value;
        if (option.outcome) {
          return verdict(option.outcome.status, option.outcome.message, option.outcome.hint);
        }
        continue;
      }
      var rule = field.rule || field.rules[chosen[field.dependsOn]];
      last = checkText(rule, value, field.blank);
      if (last.status !== "correct") return last;
    }
    if (exercise.correct || last === null) return verdict("correct", exercise.correct);
    return last;
  }

  // *word* in a hint is stressed, as the notebook shows it (gradlab's _emphasis).
  var STRESS = /(?<![\p{L}\p{N}_*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\p{L}\p{N}_*])/gu;

  function appendStressed(parent, text) {
    var at = 0;
    text.replace(STRESS, function (match, word, offset) {
      parent.appendChild(document.createTextNode(text.slice(at, offset)));
      var em = document.createElement("em");
      em.textContent = word;
      parent.appendChild(em);
      at = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  return {
    showNumber: showNumber,
    parseTyped: parseTyped,
    BLANK: BLANK,
    checkText: checkText,
    checkExercise: checkExercise,
    appendStressed: appendStressed,
  };
})();

(function () {
  "use strict";
  if (typeof document === "undefined") return;

  var STORE = "gvx-exercises/v1";
  var memory = {}; // used when the browser refuses localStorage

  function load() {
    try {
      var raw = window.localStorage.getItem(STORE);
      return raw ? JSON.parse(raw) : {};
    } catch (e) {
      return memory;
    }
  }

  function save(all) {
    memory = all;
    try {
      window.localStorage.setItem(STORE, JSON.stringify(all));
      return true;
    } catch (e) {
      return false;
    }
  }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function box(styles, result) {
    var style = styles[result.status];
    var div = document.createElement("div");
    div.className = "gradlab-feedback gradlab-" + result.status.replace(" ", "-");
    div.style.background = style.background;
    div.style.color = style.colour;
    div.style.borderLeft = "4px solid " + style.colour;
    var title = document.createElement("b");
    title.textContent = style.title + ":";
    div.appendChild(document.createTextNode(style.icon + " "));
    div.appendChild(title);
    div.appendChild(document.createTextNode(" "));
    GvxCheck.appendStressed(div, result.message);
    if (result.hint) {
      div.appendChild(document.createElement("br"));
      var hint = document.createElement("b");
      hint.textContent = "Hint:";
      div.appendChild(hint);
      div.appendChild(document.createTextNode(" "));
      GvxCheck.appendStressed(div, result.hint);
    }
    return div;
  }

  function field(exercise, spec) {
    var id = "gvx-" + exercise.label + "-" + spec.name;
    var wrap = document.createElement("div");
    wrap.className = "gvx-check-field";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = spec.label;
    var input;
    if (spec.kind === "choice") {
      input = document.createElement("select");
      var none = document.createElement("option");
      none.value = "";
      none.textContent = "choose…";
      input.appendChild(none);
      spec.options.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o.value;
        option.textContent = o.label;
        input.appendChild(option);
      });
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.spellcheck = false;
    }
    input.id = id;
    input.name = spec.name;
    wrap.appendChild(label);
    wrap.appendChild(input);
    return [wrap, input];
  }

  function chapterLabels(page) {
    return page.exercises.filter(function (e) {
      return e.kind === "page";
    });
  }

  function summary(page, all) {
    var checkable = chapterLabels(page);
    var correct = checkable.filter(function (e) {
      return all[e.label] && all[e.label].status === "correct";
    }).length;
    return [correct, checkable.length];
  }

  function renderProgress(page) {
    var node = document.querySelector(".gvx-progress");
    if (!node) return;
    var all = load();
    var counts = summary(page, all);
    var code = page.exercises
      .filter(function (e) {
        return e.kind === "code";
      })
      .map(function (e) {
        return e.number;
      });
    node.querySelector(".gvx-progress-count").textContent =
      counts[0] + " of " + counts[1] + " correct";
    node.querySelector(".gvx-progress-note").textContent =
      " among the exercises you can check on this page" +
      (code.length
        ? "; " + (code.length > 1 ? "Exercises " : "Exercise ") + code.join(", ") +
          (code.length > 1 ? " are" : " is") + " code, checked in the notebook."
        : ".");
    node.hidden = false;
  }

  // Two steps, so that one stray click forgets nothing: the first asks, the second (within
  // CONFIRM_MS) forgets.
  var CONFIRM_MS = 8000;

  function forgetButton(text, labels, after) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "gvx-forget";
    button.textContent = text;
    var timer = null;
    function reset() {
      clearTimeout(timer);
      timer = null;
      button.textContent = text;
      delete button.dataset.armed;
    }
    button.addEventListener("click", function () {
      if (!button.dataset.armed) {
        button.dataset.armed = "yes";
        button.textContent = "Click again to forget them";
        timer = setTimeout(reset, CONFIRM_MS);
        return;
      }
      reset();
      var all = load();
      labels().forEach(function (label) {
        delete all[label];
      });
      save(all);
      after();
    });
    button.addEventListener("blur", reset);
    return button;
  }

  function setUp(page) {
    var all = load();
    var forms = [];
    page.exercises.forEach(function (exercise) {
      if (exercise.kind !== "page") return;
      var slot = document.querySelector('.gvx-check[data-label="' + exercise.label + '"]');
      if (!slot) return;
      var form = document.createElement("form");
      form.className = "gvx-check-form";
      form.noValidate = true;
      form.setAttribute("aria-label", "Check your answer to Exercise " + exercise.number);
      var heading = document.createElement("p");
      heading.className = "gvx-check-title";
      heading.textContent = "Check your answer on this page";
      form.appendChild(heading);
      if (exercise.note) {
        var note = document.createElement("p");
        note.className = "gvx-check-note";
        note.textContent = exercise.note;
        form.appendChild(note);
      }
      var inputs = {};
      exercise.fields.forEach(function (spec) {
        var made = field(exercise, spec);
        form.appendChild(made[0]);
        inputs[spec.name] = made[1];
      });
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "gvx-check-button";
      button.textContent = "Check";
      form.appendChild(button);
      var live = document.createElement("div");
      live.className = "gvx-verdict";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      form.appendChild(live);

      function values() {
        var out = {};
        Object.keys(inputs).forEach(function (name) {
          out[name] = inputs[name].value;
        });
        return out;
      }
      function show(result) {
        live.replaceChildren(box(page.styles, result));
      }
      var saved = all[exercise.label];
      if (saved && saved.values) {
        Object.keys(inputs).forEach(function (name) {
          if (name in saved.values) inputs[name].value = saved.values[name];
        });
        show(GvxCheck.checkExercise(exercise, values()));
      } else {
        show(GvxCheck.checkExercise(exercise, {}));
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var result = GvxCheck.checkExercise(exercise, values());
        show(result);
        var now = load();
        now[exercise.label] = { status: result.status, values: values() };
        save(now);
        renderProgress(page);
      });
      slot.replaceChildren(form);
      forms.push({ exercise: exercise, inputs: inputs, show: show });
    });

    var node = document.querySelector(".gvx-progress");
    if (node && !node.querySelector(".gvx-forget")) {
      node.appendChild(
        forgetButton(
          "Forget my answers",
          function () {
            return chapterLabels(page).map(function (e) {
              return e.label;
            });
          },
          function () {
            forms.forEach(function (f) {
              Object.keys(f.inputs).forEach(function (name) {
                f.inputs[name].value = "";
              });
              f.show(GvxCheck.checkExercise(f.exercise, {}));
            });
            renderProgress(page);
          }
        )
      );
    }
    renderProgress(page);
  }

  function setUpIndex(index) {
    var table = null;
    var rows = [];
    Object.keys(index.chapters).forEach(function (page) {
      var link = document.querySelector('article a[href$="' + page + '.html"]');
      if (!link) return;
      var row = link.closest("tr");
      if (!row) return;
      table = row.closest("table");
      rows.push([row, index.chapters[page]]);
    });
    if (!table) return;
    var head = table.querySelector("thead tr");
    var th = document.createElement("th");
    th.className = "gvx-progress-column";
    th.textContent = "Your answers";
    head.appendChild(th);
    var cells = rows.map(function (pair) {
      var td = document.createElement("td");
      td.className = "gvx-progress-column";
      pair[0].appendChild(td);
      return [td, pair[1]];
    });
    function render() {
      var all = load();
      cells.forEach(function (pair) {
        var labels = pair[1].labels;
        var correct = labels.filter(function (l) {
          return all[l] && all[l].status === "correct";
        }).length;
        pair[0].textContent = correct + " of " + labels.length + " correct";
      });
    }
    var note = document.querySelector(".gvx-progress-index");
    if (note) {
      note.appendChild(
        forgetButton(
          "Forget all my answers",
          function () {
            return Object.keys(load());
          },
          render
        )
      );
      note.hidden = false;
    }
    render();
  }

  function start() {
    var page = data("gvx-check-data");
    if (page) setUp(page);
    var index = data("gvx-check-index");
    if (index) setUpIndex(index);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
