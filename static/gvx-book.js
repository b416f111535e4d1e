/* The book's own page script (added by tools/gvx_book.py; tested by tests/test_browser.py).
 *
 * 1. Solutions open from every part of their title. sphinx-togglebutton 0.4.5 finds the
 *    toggle button from the click target only for the title, the button and its icon; a
 *    click on the "Exercise N" link in sphinx-exercise's solution title falls through to an
 *    undeclared global `button` ("button is not defined") or to the last button toggled
 *    (closing another solution), and the link jumps away. A capture-phase listener handles
 *    every click in a toggled title first and toggles that admonition only.
 * 2. Display maths (rendered when the book is built) and tables wider than their column
 *    scroll in their own box: mark the boxes that hide content on a side (gvx-more-left/right:
 *    the CSS cue) and let the keyboard reach them, also inside a solution opened later (a
 *    ResizeObserver re-marks a box when it gets a size).
 * 3. Live Code: when Thebe cannot be loaded from its CDN (offline, blocked), say so instead
 *    of leaving "Loading thebe from CDN..." spinning for ever.
 */
(() => {
  "use strict";

  // 1. Solutions ----------------------------------------------------------------------------
  document.addEventListener(
    "click",
    (event) => {
      const title =
        event.target instanceof Element &&
        event.target.closest(".admonition.toggle > .admonition-title");
      if (!title || typeof window.toggleHidden !== "function") return;
      const button = title.querySelector("button.toggle-button");
      if (!button) return;
      event.preventDefault(); // the title's link would leave the solution closed
      event.stopPropagation(); // sphinx-togglebutton's own handler (see above)
      window.toggleHidden(button);
    },
    true,
  );

  // 2. Wide display maths -----------------------------------------------------------------
  const mark = (box) => {
    const hidden = box.scrollWidth - box.clientWidth;
    const scrolls = hidden > 1;
    box.classList.toggle("gvx-scrolls", scrolls);
    box.classList.toggle("gvx-more-left", scrolls && box.scrollLeft > 1);
    box.classList.toggle("gvx-more-right", scrolls && box.scrollLeft < hidden - 1);
    if (scrolls) {
      box.tabIndex = 0;
      if (!box.dataset.gvxScroll) {
        box.dataset.gvxScroll = "1";
        box.addEventListener("scroll", () => mark(box), { passive: true });
      }
    } else if (box.dataset.gvxScroll) {
      box.removeAttribute("tabindex");
    }
  };
  // A box inside a closed solution has no size: the observer marks it when the solution opens
  // (and whenever its size changes).
  const observer =
    typeof ResizeObserver === "function"
      ? new ResizeObserver((entries) => entries.forEach((entry) => mark(entry.target)))
      : null;
  // Wide display maths, and tables wider than their column (the theme's scrolling table
  // container, or a notebook output's table): the same marks; the CSS cue for a table is a fade
  // at the side it hides.
  const boxes = () => [
    ...document.querySelectorAll("div.math > .katex-display, .pst-scrollable-table-container"),
    ...[...document.querySelectorAll("div.output.text_html")].filter((box) =>
      box.querySelector("table"),
    ),
  ];
  const markAll = () =>
    boxes().forEach((box) => {
      mark(box);
      if (observer && !box.dataset.gvxObserved) {
        box.dataset.gvxObserved = "1";
        observer.observe(box);
      }
    });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markAll, 150);
  });
  // The maths is in the page (rendered when the book was built): mark it now, and again once
  // its fonts are in (they change its width) and the page has loaded.
  markAll();
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(markAll);
  window.addEventListener("load", markAll);

  // 3. Live Code without Thebe --------------------------------------------------------------
  const THEBE_TIMEOUT_MS = 30000;
  const thebeFailed = (why) => {
    // sphinx-book-theme's launch button, which showed the spinner, becomes a status message.
    document.querySelectorAll(".thebe-launch-button").forEach((old) => {
      const note = document.createElement("p");
      note.className = "thebe-launch-button gvx-thebe-failed";
      note.setAttribute("role", "status");
      note.textContent =
        `Live Code is not available: ${why}. The page still works as it is; to run it, ` +
        "open it on Binder or download the notebook (buttons at the top of the page).";
      old.replaceWith(note);
    });
    console.warn(`[gvx-book] Live Code: ${why}`);
  };
  const watchThebe = (script) => {
    const timer = setTimeout(() => {
      if (typeof window.thebelab === "undefined") thebeFailed("Thebe took too long to load");
    }, THEBE_TIMEOUT_MS);
    script.addEventListener("load", () => clearTimeout(timer));
    script.addEventListener("error", () => {
      clearTimeout(timer);
      thebeFailed("Thebe could not be loaded (are you offline?)");
    });
  };
  new MutationObserver((records) => {
    // sphinx-thebe appends <script src=THEBE_JS_URL> to <head> when Live Code is clicked.
    if (typeof THEBE_JS_URL === "undefined") return;
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.tagName === "SCRIPT" && node.src === THEBE_JS_URL) watchThebe(node);
      }
    }
  }).observe(document.head, { childList: true });
})();
