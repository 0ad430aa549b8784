/* Liandong maps (Leaflet): the case map (/map) and the intake form's place picker.
   Each map is an element with data-map="cases" or "pick"; what it needs comes in its data-
   attributes (the Content-Security-Policy admits no inline script). Names and addresses go in as
   text nodes, never as HTML. Without a tile URL the grids lie on a plain ground. */
(function () {
  "use strict";

  var LIGHTS = { green: "#27ae60", yellow: "#f0b429", red: "#e53e3e" };
  var NO_CLOCK = "#52606d";
  var FINAL = "#a0a8b3";
  var STREETS = ["#1f5fa8", "#2f855a", "#b7791f", "#805ad5", "#c05621", "#2c7a7b", "#b83280",
                 "#4a5568"];
  var CHINA = [[18, 73], [54, 135]];

  function words() {
    var el = document.getElementById("map-words");
    return el ? el.dataset : {};
  }

  function fill(text, fields) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_, key) {
      return fields[key] == null ? "" : fields[key];
    });
  }

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text != null) { el.textContent = text; }
    return el;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          return { status: resp.status, body: body };
        });
      });
  }

  function baseMap(el) {
    var map = L.map(el, { zoomSnap: 0.25, minZoom: 3, maxZoom: 19 });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, {
        attribution: el.dataset.tileAttribution || "", maxZoom: 19
      }).addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    map.fitBounds(CHINA);
    return map;
  }

  function fit(map, bounds) {
    if (bounds) { map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], { padding: [8, 8] }); }
  }

  function streetColour(index) {
    return index >= 0 ? STREETS[index % STREETS.length] : NO_CLOCK;
  }

  function gridStyle(feature, chosen) {
    var colour = streetColour(feature.properties.street_index);
    var on = chosen && feature.properties.code === chosen;
    return {
      className: "grid-shape", color: colour, weight: on ? 3 : 1, opacity: on ? 1 : 0.65,
      fillColor: colour, fillOpacity: on ? 0.25 : 0.08
    };
  }

  // Marks a layer's SVG element with its code or number once it is drawn.
  function tag(layer, name, value) {
    layer.on("add", function () {
      var el = layer.getElement && layer.getElement();
      if (el) { el.setAttribute(name, value); }
    });
  }

  function gridLayer(collection) {
    return L.geoJSON(collection, {
      style: function (feature) { return gridStyle(feature, null); },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        tag(layer, "data-code", p.code);
        var tip = node("span", "grid-tip");
        tip.appendChild(node("strong", null, p.name));
        tip.appendChild(node("span", "muted", " " + p.street_name + " · " + p.community_name));
        layer.bindTooltip(tip, { sticky: true, direction: "top" });
      }
    });
  }

  function popup(p, w) {
    var box = node("div", "map-popup");
    var head = node("div", "map-popup-head");
    var link = node("a", "case-number", p.number);
    link.href = p.url;
    head.appendChild(link);
    head.appendChild(node("span", "light light-" + (p.light || "none"), p.light_name));
    box.appendChild(head);
    [[w.category, p.category_name], [w.status, p.status_name], [w.department, p.department_name],
     [w.grid, p.grid_name], [w.address, p.address]].forEach(function (pair) {
      if (!pair[1]) { return; }
      var line = node("div", "map-popup-line");
      line.appendChild(node("span", "muted", pair[0] + "："));
      line.appendChild(document.createTextNode(pair[1]));
      box.appendChild(line);
    });
    if (p.approximate) { box.appendChild(node("div", "muted small", w.approx)); }
    var open = node("a", "button map-popup-open", w.open);
    open.href = p.url;
    box.appendChild(open);
    return box;
  }

  function caseLayer(collection, w) {
    return L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        var colour = p.final ? FINAL : (LIGHTS[p.light] || NO_CLOCK);
        var kind = p.final ? "final" : (p.light || "none");
        return L.circleMarker(latlng, {
          className: "case-marker case-marker-" + kind + (p.approximate ? " case-marker-approx" : ""),
          radius: 7, color: p.approximate ? colour : "#ffffff", weight: p.approximate ? 2.5 : 1.5,
          fillColor: colour, fillOpacity: p.approximate ? 0.2 : 0.95
        });
      },
      onEachFeature: function (feature, layer) {
        tag(layer, "data-number", feature.properties.number);
        layer.bindPopup(popup(feature.properties, w), { minWidth: 200 });
      }
    });
  }

  function caseMap(el) {
    var w = words();
    var map = baseMap(el);
    var note = document.getElementById("map-note");
    getJSON(el.dataset.source).then(function (answer) {
      if (answer.status !== 200) {
        note.textContent = fill(w.failed, { detail: answer.body.detail || answer.status });
        return;
      }
      var data = answer.body;
      gridLayer(data.grids).addTo(map);
      caseLayer(data.cases, w).addTo(map);
      fit(map, data.bounds);
      note.textContent = data.grids.features.length ? data.note : w.noGrids + " " + data.note;
      el.dataset.loaded = "1";
    }, function () {
      note.textContent = fill(w.failed, { detail: "network" });
    });
  }

  function pickMap(el) {
    var w = words();
    var map = baseMap(el);
    var form = el.closest("form");
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var select = form.querySelector("select[name=grid]");
    var place = form.querySelector("[data-map-place]");
    var marker = null;
    var grids = null;

    function highlight() {
      if (grids) { grids.setStyle(function (f) { return gridStyle(f, select.value); }); }
    }

    function put(latlng) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.circleMarker(latlng, {
          className: "pick-marker", radius: 8, color: "#14365f", weight: 2,
          fillColor: "#ffffff", fillOpacity: 1
        }).addTo(map);
      }
    }

    function locate(latlng) {
      var at = { lat: latlng.lat.toFixed(6), lon: latlng.lng.toFixed(6) };
      lat.value = at.lat;
      lon.value = at.lon;
      put(latlng);
      getJSON(el.dataset.locate + "?lat=" + at.lat + "&lon=" + at.lon).then(function (answer) {
        if (answer.status === 200) {
          var g = answer.body;
          select.value = g.grid;
          place.textContent = fill(w.found, {
            street: g.street_name, community: g.community_name, grid: g.grid_name
          });
        } else if (answer.status === 404) {
          select.value = "";
          place.textContent = w.outside;
        } else {
          place.textContent = w.pickFailed;
        }
        highlight();
        el.dataset.located = String(answer.status);
      }, function () { place.textContent = w.pickFailed; });
    }

    getJSON(el.dataset.source).then(function (answer) {
      if (answer.status !== 200) { place.textContent = w.pickFailed; return; }
      grids = gridLayer(answer.body.grids).addTo(map);
      fit(map, answer.body.bounds);
      if (lat.value && lon.value) { put([Number(lat.value), Number(lon.value)]); }
      highlight();
      el.dataset.loaded = "1";
    });
    map.on("click", function (e) { locate(e.latlng); });
    select.addEventListener("change", highlight);
  }

  function init(root) {
    if (typeof L === "undefined" || !root || !root.querySelectorAll) { return; }
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-map]"));
    if (root.matches && root.matches("[data-map]")) { found.push(root); }
    found.forEach(function (el) {
      if (el.dataset.ready) { return; }
      el.dataset.ready = "1";
      if (el.dataset.map === "pick") { pickMap(el); } else { caseMap(el); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
