/* Static explorers of the HTML book: switch precomputed views as the reader moves a control.
 *
 * Each <div class="gvx-explorer"> holds its data in a <script type="application/json"
 * class="gvx-data"> (made at build time by gradlab.explore.static; no server, no CDN, works
 * from file://). The view is a background PNG (CSS background of the <canvas>) with the
 * animated artists drawn over it from the data of the current grid point. The DOM contract
 * (kept exactly; tests and the benchmark rely on it): native <input type="range"> or <select>
 * per control with an <output>, role="img" view whose aria-label is the view's alt text, and
 * data-view="<grid index>" on the root after each view change.
 */
(function () {
  "use strict";

  var FONT = "GvxDejaVuSans";

  function bytesOf(b64) {
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // Raw deflate (RFC 1951), inflated by the browser: u32 JSON length | JSON | pad | int16 pool.
  function decode(data) {
    var stream = new Blob([bytesOf(data.payload)])
      .stream()
      .pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var view = new DataView(buffer);
      var length = view.getUint32(0, true);
      var structure = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
      var start = 4 + length + (length % 2);
      var ints = new Int16Array(buffer.slice(start));
      var pools = [];
      var offset = 0;
      var q = data.quantum;
      structure.pools.forEach(function (n) {
        var pool = new Float32Array(n);
        var acc = 0;
        for (var i = 0; i < n; i++) {
          acc += ints[offset + i];
          pool[i] = acc / q;
        }
        pools.push(pool);
        offset += n;
      });
      structure.poolData = pools;
      return structure;
    });
  }

  function clip(ctx, box) {
    if (!box) return;
    ctx.beginPath();
    ctx.rect(box[0], box[1], box[2] - box[0], box[3] - box[1]);
    ctx.clip();
  }

  function markerPath(path, shape, x, y, ms) {
    var r = ms / 2;
    if (shape === "o") {
      path.moveTo(x + r, y);
      path.arc(x, y, r, 0, 2 * Math.PI);
    } else if (shape === "s") {
      path.rect(x - r, y - r, ms, ms);
    } else if (shape === "^") {
      path.moveTo(x, y - r);
      path.lineTo(x - r, y + r);
      path.lineTo(x + r, y + r);
      path.closePath();
    } else if (shape === "v") {
      path.moveTo(x, y + r);
      path.lineTo(x - r, y - r);
      path.lineTo(x + r, y - r);
      path.closePath();
    }
  }

  function drawLine(ctx, style, entry, pools) {
    var paths = entry[0];
    var markers = entry[1];
    if (!paths.length && !markers.length) return;
    ctx.save();
    clip(ctx, style.clip);
    ctx.globalAlpha = style.alpha;
    if (style.lw > 0 && paths.length) {
      ctx.beginPath();
      for (var p = 0; p < paths.length; p += 2) {
        var xs = pools[paths[p]];
        var ys = pools[paths[p + 1]];
        ctx.moveTo(xs[0], ys[0]);
        for (var i = 1; i < xs.length; i++) ctx.lineTo(xs[i], ys[i]);
      }
      ctx.lineWidth = style.lw;
      ctx.strokeStyle = style.color;
      ctx.lineCap = style.cap;
      ctx.lineJoin = style.join;
      ctx.setLineDash(style.dash || []);
      ctx.lineDashOffset = style.dashOffset;
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (style.marker && markers.length) {
      var mx = pools[markers[0]];
      var my = pools[markers[1]];
      var path = new Path2D();
      for (var k = 0; k < mx.length; k++) markerPath(path, style.marker, mx[k], my[k], style.ms);
      ctx.fillStyle = style.mfc;
      ctx.fill(path);
      if (style.mew > 0) {
        ctx.lineWidth = style.mew;
        ctx.strokeStyle = style.mec;
        ctx.lineJoin = "miter";
        ctx.stroke(path);
      }
    }
    ctx.restore();
  }

  function drawText(ctx, style, entry) {
    if (!entry.length) return;
    ctx.save();
    clip(ctx, style.clip);
    ctx.globalAlpha = style.alpha;
    ctx.fillStyle = style.color;
    ctx.font = style.size + "px " + FONT + ", 'DejaVu Sans', sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "alphabetic";
    if ("fontKerning" in ctx) ctx.fontKerning = "none";
    for (var i = 0; i < entry.length; i++) {
      var line = entry[i];
      var x = line[3] ? line[1] - line[3] * ctx.measureText(line[0]).width : line[1];
      ctx.fillText(line[0], x, line[2]);
    }
    ctx.restore();
  }

  function drawPolygon(ctx, style, entry, pools) {
    if (!entry.length) return;
    var xs = pools[entry[0]];
    var ys = pools[entry[1]];
    ctx.save();
    clip(ctx, style.clip);
    ctx.beginPath();
    ctx.moveTo(xs[0], ys[0]);
    for (var i = 1; i < xs.length; i++) ctx.lineTo(xs[i], ys[i]);
    if (style.closed) ctx.closePath();
    if (style.fill) {
      ctx.globalAlpha = style.fillAlpha;
      ctx.fillStyle = style.fill;
      ctx.fill();
    }
    if (style.edge) {
      ctx.globalAlpha = style.edgeAlpha;
      ctx.strokeStyle = style.edge;
      ctx.lineWidth = style.lw;
      ctx.stroke();
    }
    ctx.restore();
  }

  function Explorer(root) {
    this.root = root;
    this.data = JSON.parse(root.querySelector("script.gvx-data").textContent);
    this.canvas = root.querySelector("canvas.gvx-canvas");
    this.view = root.querySelector(".gvx-view");
    this.inputs = this.data.controls.map(function (c) {
      return root.querySelector('[data-gvx-control="' + c.name + '"]');
    });
    this.outputs = this.data.controls.map(function (c) {
      return root.querySelector('output[data-gvx-control="' + c.name + '"]');
    });
  }

  Explorer.prototype.index = function () {
    var flat = 0;
    for (var i = 0; i < this.inputs.length; i++) {
      flat = flat * this.data.controls[i].values.length + Number(this.inputs[i].value);
    }
    return flat;
  };

  Explorer.prototype.resize = function () {
    var ratio = window.devicePixelRatio || 1;
    var width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    var height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      return true;
    }
    return false;
  };

  Explorer.prototype.draw = function (flat) {
    var ctx = this.ctx;
    var data = this.data;
    var entries = this.structure.views[flat];
    var pools = this.structure.poolData;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(this.canvas.width / data.width, 0, 0, this.canvas.height / data.height, 0, 0);
    for (var i = 0; i < data.artists.length; i++) {
      var style = data.artists[i];
      if (style.type === "line") drawLine(ctx, style, entries[i], pools);
      else if (style.type === "text") drawText(ctx, style, entries[i]);
      else if (style.type === "polygon") drawPolygon(ctx, style, entries[i], pools);
    }
    this.view.setAttribute("aria-label", this.structure.alts[flat]);
    this.root.setAttribute("data-view", String(flat));
    this.shown = flat;
  };

  Explorer.prototype.update = function () {
    for (var i = 0; i < this.inputs.length; i++) {
      var control = this.data.controls[i];
      var label = control.labels[Number(this.inputs[i].value)];
      this.outputs[i].value = label;
      if (control.kind === "range") this.inputs[i].setAttribute("aria-valuetext", label);
    }
    // A slider fires "input" and then "change" for one move: draw a view once.
    var flat = this.index();
    if (flat !== this.shown) this.draw(flat);
  };

  Explorer.prototype.start = function (structure) {
    var self = this;
    this.structure = structure;
    this.ctx = this.canvas.getContext("2d");
    this.canvas.style.backgroundImage = "url(" + JSON.stringify(this.root.dataset.background) + ")";
    this.root.classList.add("gvx-ready"); // shows the canvas: it has a size from here on
    this.resize();
    this.inputs.forEach(function (input) {
      input.disabled = false;
      input.addEventListener("input", function () {
        self.update();
      });
      input.addEventListener("change", function () {
        self.update();
      });
    });
    window.addEventListener("resize", function () {
      if (self.resize()) self.draw(self.shown);
    });
    this.update();
    if (document.fonts && document.fonts.load) {
      // Redraw once the shipped font is in (the first draw may have used a fallback).
      document.fonts.load("16px " + FONT).then(function () {
        self.draw(self.shown);
      });
    }
  };

  function init(root) {
    if (root.dataset.gvxStarted) return;
    root.dataset.gvxStarted = "1";
    var explorer = new Explorer(root);
    if (typeof DecompressionStream === "undefined") return; // the picture stays, no controls
    decode(explorer.data)
      .then(function (structure) {
        explorer.start(structure);
      })
      .catch(function (error) {
        root.classList.add("gvx-failed");
        if (window.console) console.warn("gvx explorer", error);
      });
  }

  function initAll() {
    document.querySelectorAll(".gvx-explorer").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
