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

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("whatsapp");
    if (panel) {
      listen(panel);
    }
  });
})();
