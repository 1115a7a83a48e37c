// The feedback form: fill in the tester's environment where it is still empty, and accept a
// screenshot pasted from the clipboard into the screenshots field.
(function () {
  "use strict";

  function setIfEmpty(id, value) {
    var field = document.getElementById(id);
    if (field && !field.value && value) field.value = value;
  }

  function browser(ua) {
    var known = [
      ["Edge", /Edg(?:e|A|iOS)?\/([\d.]+)/],
      ["Opera", /OPR\/([\d.]+)/],
      ["Samsung Internet", /SamsungBrowser\/([\d.]+)/],
      ["Firefox", /(?:Firefox|FxiOS)\/([\d.]+)/],
      ["Chrome", /(?:Chrome|CriOS)\/([\d.]+)/],
      ["Safari", /Version\/([\d.]+).*Safari/],
    ];
    for (var i = 0; i < known.length; i++) {
      var match = ua.match(known[i][1]);
      if (match) return known[i][0] + " " + match[1].split(".")[0];
    }
    return "";
  }

  function os(ua) {
    var known = [
      ["iOS", /(?:iPhone|iPad|iPod).*? OS ([\d_]+)/],
      ["Android", /Android ([\d.]+)/],
      ["Windows", /Windows NT ([\d.]+)/],
      ["macOS", /Mac OS X ([\d_]+)/],
      ["ChromeOS", /CrOS/],
      ["Linux", /Linux/],
    ];
    for (var i = 0; i < known.length; i++) {
      var match = ua.match(known[i][1]);
      if (match) return (known[i][0] + " " + (match[1] || "").replace(/_/g, ".")).trim();
    }
    return "";
  }

  function device(ua) {
    if (/iPad|Tablet/.test(ua) || (/Android/.test(ua) && !/Mobile/.test(ua))) return "tablet";
    if (/Mobi|iPhone|Android/.test(ua) || window.innerWidth < 600) return "phone";
    return "desktop";
  }

  var ua = navigator.userAgent || "";
  setIfEmpty("id_browser", browser(ua));
  setIfEmpty("id_os", os(ua));
  setIfEmpty("id_device", device(ua));
  setIfEmpty("id_viewport", window.innerWidth + "×" + window.innerHeight);
  setIfEmpty("id_language", navigator.language);

  // The requirement it concerns: a search box narrows the round's requirements as one types.
  var search = document.querySelector("[data-filter-select]");
  var select = search && document.getElementById(search.getAttribute("data-filter-select"));
  if (select) {
    var all = Array.prototype.map.call(select.options, function (option) {
      return option.cloneNode(true);
    });
    search.hidden = false;
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var chosen = select.value;
      select.textContent = "";
      all.forEach(function (option) {
        var text = option.textContent.toLowerCase();
        var fits = !option.value || option.value === chosen ||
          words.every(function (word) { return text.indexOf(word) !== -1; });
        if (fits) select.appendChild(option.cloneNode(true));
      });
      select.value = chosen;
      var matches = select.options.length - (select.options[0] && !select.options[0].value ? 1 : 0);
      if (matches === 1 && !chosen) select.selectedIndex = select.options.length - 1;
    });
  }

  var zone = document.querySelector("[data-paste-target]");
  if (!zone || typeof DataTransfer === "undefined") return;
  var input = document.getElementById(zone.getAttribute("data-paste-target"));
  var list = zone.querySelector("[data-paste-list]");
  zone.querySelector("[data-paste-hint]").hidden = false;

  function show() {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name;
      list.appendChild(item);
    });
  }

  input.addEventListener("change", show);
  document.addEventListener("paste", function (event) {
    var items = (event.clipboardData && event.clipboardData.files) || [];
    var images = Array.prototype.filter.call(items, function (file) {
      return file.type === "image/png" || file.type === "image/jpeg";
    });
    if (!images.length) return;
    event.preventDefault();
    var transfer = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (file) { transfer.items.add(file); });
    images.forEach(function (file, index) {
      var extension = file.type === "image/png" ? ".png" : ".jpg";
      var name = "pasted-" + Date.now() + "-" + index + extension;
      transfer.items.add(new File([file], name, { type: file.type }));
    });
    input.files = transfer.files;
    show();
  });
})();
