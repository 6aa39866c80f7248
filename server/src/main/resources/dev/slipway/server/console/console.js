// Slipway's console: follows the page it is on with server-sent events. A plain module, no build step.
const MAX_LINES = 2000;

function follow(url, handlers) {
  const source = new EventSource(url);
  for (const [event, handle] of Object.entries(handlers)) {
    source.addEventListener(event, (e) => handle(JSON.parse(e.data)));
  }
  return source;
}

function append(pre, line) {
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.append(line + "\n");
  while (pre.childNodes.length > MAX_LINES) {
    pre.removeChild(pre.firstChild);
  }
  if (atBottom) {
    pre.scrollTop = pre.scrollHeight;
  }
}

// ---------------------------------------------------------------- signing in from a link (slipway up --console)

// the key is after '#', which the browser never sends: fill the form from it, forget it, and sign in
const signIn = document.querySelector("form[action='/console/sign-in']");
if (signIn && location.hash.startsWith("#key=")) {
  const given = new URLSearchParams(location.hash.substring(1));
  history.replaceState(null, "", location.pathname);
  signIn.elements.accessKeyId.value = given.get("key") ?? "";
  signIn.elements.secretAccessKey.value = given.get("secret") ?? "";
  signIn.submit();
}

// ---------------------------------------------------------------- the service list

const list = document.querySelector("table.services[data-live]");
if (list) {
  follow(list.dataset.live, {
    rows: (data) => {
      document.getElementById("service-rows").innerHTML = data.html;
      const n = document.querySelectorAll("#service-rows tr").length;
      list.querySelector("caption").textContent = `${n} service${n === 1 ? "" : "s"}, updated live`;
    },
  });
}

// ---------------------------------------------------------------- a service's page

const summary = document.querySelector("section.summary[data-live]");
const keptFlash = sessionStorage.getItem("slipway-flash");
if (keptFlash !== null) {
  sessionStorage.removeItem("slipway-flash");
  if (summary && !document.getElementById("flash")) {
    const p = document.createElement("p");
    p.className = "flash";
    p.id = "flash";
    p.setAttribute("role", "status");
    p.textContent = keptFlash;
    document.querySelector("main h1").before(p);
  }
}
if (summary) {
  const status = document.getElementById("status");
  const shownStatus = status.textContent;
  const logs = {
    events: document.getElementById("log-events"),
    deployment: document.getElementById("log-deployment"),
    application: document.getElementById("log-application"),
  };
  let deployment = null;
  const samples = [];
  follow(summary.dataset.live, {
    status: (data) => {
      status.textContent = data.status;
      status.className = `status ${data.status}`;
      document.getElementById("instances").textContent = data.instances ?? "–";
      document.getElementById("operations").innerHTML = data.operations;
      // the buttons a status offers differ (pause when running, resume when paused): show the page anew
      if (data.status !== shownStatus && (data.status === "RUNNING" || data.status === "PAUSED")) {
        const flash = document.getElementById("flash");
        if (flash) { // shown once by the server: kept for the page that replaces this one
          sessionStorage.setItem("slipway-flash", flash.textContent);
        }
        location.reload();
      }
    },
    log: (data) => {
      if (data.stream === "events") {
        append(logs.events, data.line);
      } else if (data.stream.startsWith("deployment/")) {
        if (deployment !== data.stream) {
          deployment = data.stream;
          logs.deployment.textContent = "";
        }
        append(logs.deployment, data.line);
      } else {
        append(logs.application, `${data.stream.substring("instance/".length, "instance/".length + 8)}  ${data.line}`);
      }
    },
    metrics: (data) => {
      samples.push(...data);
      samples.splice(0, Math.max(0, samples.length - 120));
      draw(samples);
    },
    gone: (data) => {
      status.textContent = "DELETED";
      status.className = "status DELETED";
    },
  });

  const confirm = document.getElementById("confirm");
  const remove = document.getElementById("delete");
  if (confirm && remove) {
    const name = document.querySelector("h1").textContent;
    const check = () => { remove.disabled = confirm.value.trim() !== name; };
    confirm.addEventListener("input", check);
    check();
  }
}

const SVG = "http://www.w3.org/2000/svg";

/** Each chart: its series (a sample's fields), drawn as lines over the samples, scaled to the largest value. */
const CHARTS = {
  requests: ["requests"],
  statuses: ["ok2xx", "client4xx", "server5xx"],
  latency: ["p50", "p99"],
  instances: ["instances"],
  cpu: ["cpu"],
  memory: ["memory"],
};

function draw(samples) {
  for (const [chart, series] of Object.entries(CHARTS)) {
    const svg = document.getElementById(`chart-${chart}`);
    if (!svg) {
      continue;
    }
    const max = Math.max(1, ...samples.flatMap((s) => series.map((f) => s[f] ?? 0)));
    svg.replaceChildren();
    series.forEach((field, i) => {
      const y = (s) => 100 - (s[field] / max) * 95;
      const points = samples.length === 1 ? (samples[0][field] === null ? [] : [`0,${y(samples[0])}`, `300,${y(samples[0])}`])
        : samples.map((s, x) => s[field] === null ? null : `${(x / (samples.length - 1)) * 300},${y(s)}`).filter((p) => p !== null);
      const line = document.createElementNS(SVG, "polyline");
      line.setAttribute("points", points.join(" "));
      line.setAttribute("class", `series series-${i}`);
      svg.append(line);
    });
    const last = samples[samples.length - 1];
    document.getElementById(`last-${chart}`).textContent = series.map((f) => `${f}: ${last?.[f] ?? "–"}`).join("  ")
      + `  (scale 0–${Math.round(max * 100) / 100})`;
    svg.dataset.samples = samples.length;
    svg.dataset.total = samples.reduce((sum, s) => sum + (s[series[0]] ?? 0), 0);
  }
}
