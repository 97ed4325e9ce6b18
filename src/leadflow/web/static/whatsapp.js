// The lead page's WhatsApp panel reloads when the person writes (a live `message.received`
// for this lead on the owner's event stream).
(function () {
  "use strict";

  function reload(panel) {
    var address = "/inbox/leads/" + encodeURIComponent(panel.dataset.whatsappLead) + "/whatsapp";
    fetch(address, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var fresh = holder.querySelector("#whatsapp");
        var typing = panel.querySelector("textarea");
        if (fresh && !(typing && typing.value)) {
          panel.replaceWith(fresh);
          listen(fresh);
          templates(fresh);
        }
      });
  }

  function listen(panel) {
    if (!panel.dataset.whatsappStream || typeof EventSource === "undefined") {
      return;
    }
    var source = new EventSource(panel.dataset.whatsappStream);
    source.addEventListener("open", function () {
      panel.dataset.whatsappLive = "connected";
    });
    source.addEventListener("message.received", function (event) {
      var data = {};
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (String(data.lead_id) === panel.dataset.whatsappLead) {
        source.close();
        reload(panel);
      }
    });
    window.addEventListener("pagehide", function () {
      source.close();
    });
  }

  // The template form: the chosen template's variables shown (the others' disabled, so not
  // sent), and its preview rewritten as the agent types; an empty variable keeps {{n}}.
  function preview(fieldset) {
    var values = {};
    fieldset.querySelectorAll("input[data-variable]").forEach(function (input) {
      values[input.dataset.variable] = input.value.trim();
    });
    var body = fieldset.dataset.body;
    var shown = fieldset.querySelector(".whatsapp-preview");
    if (shown && body) {
      shown.textContent = body.replace(/\{\{\s*(\d+)\s*\}\}/g, function (whole, number) {
        return values[number] || whole;
      });
    }
  }

  function templates(panel) {
    var form = panel.querySelector(".whatsapp-template-form");
    if (!form) {
      return;
    }
    var select = form.querySelector("select[name=template]");
    var sets = form.querySelectorAll("fieldset[data-template]");
    function choose() {
      sets.forEach(function (fieldset) {
        var chosen = fieldset.dataset.template === select.value;
        fieldset.hidden = !chosen;
        fieldset.disabled = !chosen;
      });
    }
    select.addEventListener("change", choose);
    sets.forEach(function (fieldset) {
      fieldset.addEventListener("input", function () {
        preview(fieldset);
      });
    });
    choose();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("whatsapp");
    if (panel) {
      listen(panel);
      templates(panel);
    }
  });
})();
