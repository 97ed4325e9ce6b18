// The pipeline board: drag a card to another column to move the lead (HTML5 drag and drop),
// or send its "Move to…" form; a refused move snaps the card back and opens the prompt the
// server sends for what the stage still needs. No inline scripts: the Content-Security-Policy
// forbids them.
(function () {
  "use strict";

  var columns = document.getElementById("board-columns");
  var dialog = document.getElementById("board-prompt");
  var status = document.querySelector("[data-board-status]");
  if (!columns || !dialog) {
    return;
  }
  var dragged = null; // {card, list, next}: where a dropped card came from, to snap it back

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function post(data) {
    data.set("csrf_token", columns.dataset.csrf);
    return fetch(columns.dataset.moveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": columns.dataset.csrf },
    }).then(function (response) {
      return response.text().then(function (html) {
        return { status: response.status, html: html };
      });
    });
  }

  function snapBack() {
    if (!dragged) {
      return;
    }
    dragged.card.hidden = false;
    dragged.list.insertBefore(dragged.card, dragged.next);
    dragged = null;
  }

  function answered(result) {
    say("");
    if (result.status === 200) {
      dragged = null;
      columns.innerHTML = result.html;
      if (dialog.open) {
        dialog.close();
      }
      return;
    }
    snapBack();
    if (result.status === 422) {
      dialog.innerHTML = result.html;
      if (!dialog.open) {
        dialog.showModal();
      }
      var first = dialog.querySelector("[aria-invalid=true], input:not([type=hidden]), select");
      if (first) {
        first.focus();
      }
      return;
    }
    say(columns.dataset.failed);
  }

  function failed() {
    snapBack();
    say(columns.dataset.failed);
  }

  function send(data) {
    say(columns.dataset.moving);
    if (columns.dataset.owner) {
      data.set("owner", columns.dataset.owner);
    }
    if (columns.dataset.team) {
      data.set("team", columns.dataset.team);
    }
    post(data).then(answered, failed);
  }

  function columnOf(element) {
    return element && element.closest ? element.closest(".board-column") : null;
  }

  columns.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card) {
      return;
    }
    dragged = { card: card, list: card.parentNode, next: card.nextSibling };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.lead);
    card.classList.add("dragging");
  });

  columns.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (card) {
      card.classList.remove("dragging");
    }
    columns.querySelectorAll(".drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  });

  columns.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column || column === columnOf(dragged.list)) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });

  columns.addEventListener("dragleave", function (event) {
    var column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) {
      column.classList.remove("drop-target");
    }
  });

  columns.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column || column === columnOf(dragged.list)) {
      return;
    }
    event.preventDefault();
    column.classList.remove("drop-target");
    var list = column.querySelector(".board-cards");
    if (list) {
      list.appendChild(dragged.card); // where it will be; snapped back if refused
    } else {
      dragged.card.hidden = true; // won and lost columns show no cards
    }
    var data = new FormData();
    data.set("lead_id", dragged.card.dataset.lead);
    data.set("to_stage", column.dataset.stage);
    send(data);
  });

  // The cards' "Move to…" forms and the prompt post through the same path.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-board-move]")) {
      return;
    }
    event.preventDefault();
    send(new FormData(form));
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-board-cancel]");
    if (cancel && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  });
})();
