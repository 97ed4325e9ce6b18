// Dates and times picked in the reader's language (the page's `lang`), not the browser's: a
// Turkish reader sees Turkish month names and a 24-hour clock whatever their browser's
// language. Progressive enhancement: without this script (or flatpickr) the native inputs work
// as before; with it, each date, time and datetime-local input is kept as a hidden input holding
// the same ISO value the server reads, and a text input beside it shows the value the locale's
// way. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // The formats follow the pages' own (Babel's medium date, short time) in flatpickr's tokens.
  var SHOWN = {
    en: { date: "M j, Y", time: "h:i K", hours24: false },
    tr: { date: "j M Y", time: "H:i", hours24: true },
  };
  // `iso`: what may also be typed (or pasted) as it is, whatever the language.
  var KINDS = {
    date: { value: "Y-m-d", calendar: true, clock: false, iso: /^\d{4}-\d{2}-\d{2}$/ },
    time: { value: "H:i", calendar: false, clock: true, iso: /^\d{1,2}:\d{2}$/ },
    "datetime-local": {
      value: "Y-m-d\\TH:i",
      calendar: true,
      clock: true,
      iso: /^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}$/,
    },
  };

  function language() {
    var lang = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
    return SHOWN[lang] ? lang : "en";
  }

  // The visible input takes the native one's place for labels, problems and tests: its id (so
  // `<label for>` names it) or its place alone in the label that wraps it, aria-invalid and
  // aria-describedby.
  function takeOver(native, shown) {
    var id = native.id;
    var wrapping = native.closest("label");
    if (id) {
      native.id = id + "-value";
      shown.id = id;
    } else if (wrapping) {
      wrapping.parentNode.insertBefore(native, wrapping); // the label wraps the visible one only
    }
    ["aria-invalid", "aria-describedby", "aria-label"].forEach(function (name) {
      if (native.hasAttribute(name)) {
        shown.setAttribute(name, native.getAttribute(name));
      }
    });
    shown.autocomplete = "off";
  }

  // A text input that takes a date in the locale's order (`data-picker-pattern`, Babel's
  // `dd.MM.yyyy`) keeps that order in what it sends; the picker shows the date in words.
  function typedDate(input) {
    var pattern = input.dataset.pickerPattern;
    var value = input.value.trim();
    var fitting = /^\d{1,2}\D\d{1,2}\D\d{4}$/.test(value) || KINDS.date.iso.test(value);
    if (value && !fitting) {
      return null; // what the reader typed and the server refused stays as it is
    }
    var order = pattern.replace("yyyy", "Y").replace("MM", "m").replace("dd", "d");
    return { value: order, calendar: true, clock: false, iso: KINDS.date.iso };
  }

  function enhance(input) {
    var kind = input.dataset.pickerPattern ? typedDate(input) : KINDS[input.getAttribute("type")];
    if (!kind || input._flatpickr) {
      return;
    }
    var lang = language();
    var shown = SHOWN[lang];
    var parts = [];
    if (kind.calendar) {
      parts.push(shown.date);
    }
    if (kind.clock) {
      parts.push(shown.time);
    }
    window.flatpickr(input, {
      locale: lang === "en" ? "default" : lang,
      dateFormat: kind.value,
      altInput: true,
      altFormat: parts.join(" "),
      allowInput: true,
      enableTime: kind.clock,
      noCalendar: !kind.calendar,
      time_24hr: shown.hours24,
      minuteIncrement: 5,
      onReady: function (dates, text, picker) {
        takeOver(input, picker.altInput);
        // Taken as soon as it is complete: flatpickr reads the text in the locale's format
        // when the reader clicks elsewhere, and would not understand it.
        picker.altInput.addEventListener("input", function () {
          var typed = picker.altInput.value.trim();
          if (kind.iso.test(typed)) {
            var format = input.dataset.pickerPattern ? KINDS.date.value : kind.value;
            picker.setDate(typed.replace(" ", "T"), true, format);
            picker.close(); // complete: the calendar would cover what comes next
          }
        });
      },
    });
  }

  function enhanceAll(root) {
    if (typeof window.flatpickr === "undefined") {
      return;
    }
    var inputs = "input[type=date], input[type=time], input[type=datetime-local], " +
      "input[data-picker-pattern]";
    root.querySelectorAll(inputs).forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
    if (typeof htmx !== "undefined") {
      htmx.onLoad(function (content) {
        if (content.querySelectorAll) {
          enhanceAll(content);
        }
      });
    }
  });
})();
