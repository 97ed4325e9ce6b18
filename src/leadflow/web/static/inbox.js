// The inbox: first-contact countdowns that tick, and new leads arriving live through the
// agent's Server-Sent-Events stream. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // The same figures the server writes: 9:05 or 1:02:03.
  function countdown(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(s / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    return hours ? hours + ":" + pad(minutes) + ":" + pad(rest) : minutes + ":" + pad(rest);
  }

  function startClock(element) {
    if (element.dataset.slaStarted) {
      return;
    }
    element.dataset.slaStarted = String(Date.now());
  }

  function tick() {
    document.querySelectorAll("[data-sla-left]").forEach(function (element) {
      startClock(element);
      if (element.dataset.slaRunning !== "1") {
        return; // outside business hours the working-time clock stands still
      }
      var elapsed = (Date.now() - Number(element.dataset.slaStarted)) / 1000;
      var left = Number(element.dataset.slaLeft) - elapsed;
      if (left <= 0) {
        element.textContent = element.dataset.slaOverdue;
        element.classList.add("overdue");
        var row = element.closest("tr");
        if (row) {
          row.classList.add("overdue");
        }
        element.removeAttribute("data-sla-left");
        return;
      }
      element.textContent = element.dataset.slaText.replace("{time}", countdown(left));
    });
  }

  // The "waiting for first contact" figure follows the rows that come and go.
  function recount(table) {
    var figure = document.querySelector("[data-waiting]");
    if (figure) {
      figure.textContent = String(table.querySelectorAll("tbody [data-sla-waiting]").length);
    }
  }

  function rowsOf(table) {
    return table.querySelector("tbody");
  }

  function removeRow(table, leadId) {
    var row = document.getElementById("lead-" + leadId);
    if (row && table.contains(row)) {
      row.remove();
      recount(table);
    }
  }

  function insertRow(table, leadId) {
    if (document.getElementById("lead-" + leadId)) {
      return;
    }
    var address =
      table.dataset.inboxRows + encodeURIComponent(leadId) +
      "?agent=" + encodeURIComponent(table.dataset.inboxAgent);
    fetch(address, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (!html || document.getElementById("lead-" + leadId)) {
          return;
        }
        var body = rowsOf(table);
        var empty = body.querySelector("tr.empty");
        if (empty) {
          empty.remove();
        }
        var holder = document.createElement("tbody");
        holder.innerHTML = html.trim();
        var row = holder.firstElementChild;
        if (!row) {
          return;
        }
        row.classList.add("arrived");
        body.insertBefore(row, body.firstElementChild);
        if (typeof htmx !== "undefined") {
          htmx.process(row);
        }
        recount(table);
        tick();
      });
  }

  function listen(table) {
    var status = document.querySelector("[data-live-status]");
    var me = table.dataset.inboxAgent;
    var source = new EventSource(table.dataset.inboxStream);
    function payload(event) {
      try {
        return JSON.parse(event.data);
      } catch (error) {
        return {};
      }
    }
    source.addEventListener("open", function () {
      if (status) {
        status.textContent = status.dataset.connected;
      }
    });
    source.addEventListener("error", function () {
      if (status) {
        status.textContent = status.dataset.lost;
      }
    });
    // A lead routed to this agent joins the list; one routed away (its previous owner hears
    // of the reassignment too) leaves it.
    function routed(event) {
      var data = payload(event);
      if (data.lead_id === undefined) {
        return;
      }
      if (!data.agent || data.agent === me) {
        insertRow(table, data.lead_id);
      } else {
        removeRow(table, data.lead_id);
      }
    }
    // A person who wrote (WhatsApp) brings their lead to the top of the list, highlighted.
    function wrote(event) {
      var data = payload(event);
      if (data.lead_id === undefined) {
        return;
      }
      var row = document.getElementById("lead-" + data.lead_id);
      if (!row || !table.contains(row)) {
        insertRow(table, data.lead_id);
        return;
      }
      var body = rowsOf(table);
      row.classList.remove("arrived");
      body.insertBefore(row, body.firstElementChild);
      void row.offsetWidth;
      row.classList.add("arrived");
    }
    source.addEventListener("message.received", wrote);
    source.addEventListener("lead.assigned", routed);
    source.addEventListener("lead.reassigned", routed);
    window.addEventListener("pagehide", function () {
      source.close();
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var table = event.target.closest && event.target.closest("table.inbox");
    if (table) {
      recount(table);
      tick();
    }
  });

  // A form answered 422 comes back with its problems marked: show it rather than drop it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("[data-inbox-stream]");
    if (table && typeof EventSource !== "undefined") {
      listen(table);
    }
    tick();
    window.setInterval(tick, 1000);
  });
})();
