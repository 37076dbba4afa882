// harness/proxy/interop/toxiproxy_node_client.js: Toxiproxy's Node client
// library (npm toxiproxy-node-client) driving `faultline toxiproxy`, as a
// test suite written for Toxiproxy drives it.
//
//   node toxiproxy_node_client.js API_URL UPSTREAM_HOST:PORT
//
// UPSTREAM is an echo server. Prints one line per check; exit 0 when every
// check passed, 1 at the first that failed.
"use strict";
const net = require("net");
const { Toxiproxy } = require("toxiproxy-node-client");

const [apiUrl, upstream] = process.argv.slice(2);
const toxiproxy = new Toxiproxy(apiUrl);

function check(condition, what) {
  if (!condition) throw new Error("check failed: " + what);
  console.log("ok: " + what);
}

// echo sends `message` through `listen` and resolves with what came back
// (until the reply is complete, the peer ends, or an error) and how long it took.
function echo(listen, message) {
  return new Promise((resolve) => {
    const [host, port] = [listen.slice(0, listen.lastIndexOf(":")), listen.slice(listen.lastIndexOf(":") + 1)];
    const started = Date.now();
    let got = "";
    const socket = net.connect(Number(port), host, () => socket.write(message));
    const done = (how) => { socket.destroy(); resolve({ got, how, ms: Date.now() - started }); };
    socket.setTimeout(5000, () => done("timeout"));
    socket.on("data", (d) => { got += d.toString(); if (got.length >= message.length) done("complete"); });
    socket.on("end", () => done("closed"));
    socket.on("error", (e) => done(e.code || "error"));
  });
}

(async () => {
  const version = await toxiproxy.getVersion();
  check(JSON.parse(version).version.length > 0, "getVersion answers " + version.trim());

  const proxy = await toxiproxy.createProxy({ name: "node_client", listen: "127.0.0.1:0", upstream });
  check(proxy.enabled === true && !proxy.listen.endsWith(":0"), "createProxy listens on " + proxy.listen);
  let reply = await echo(proxy.listen, "hello");
  check(reply.got === "hello", "bytes flow through the new proxy");

  let duplicate = null;
  try { await toxiproxy.createProxy({ name: "node_client", listen: "127.0.0.1:0", upstream }); }
  catch (e) { duplicate = e; }
  check(duplicate && /409/.test(duplicate.message), "a second proxy of the same name is a 409");

  const latency = await proxy.addToxic({ type: "latency", stream: "downstream", attributes: { latency: 250 } });
  check(latency.name === "latency_downstream" && latency.attributes.latency === 250 && latency.toxicity === 1,
        "addToxic latency: default name, attributes, toxicity");
  reply = await echo(proxy.listen, "slow");
  check(reply.got === "slow" && reply.ms >= 250, `latency adds its delay (${reply.ms} ms >= 250 ms)`);

  const fetched = await proxy.getToxic("latency_downstream");
  check(fetched.type === "latency" && fetched.stream === "downstream", "getToxic reads it back");
  const updated = await fetched.update({ attributes: { latency: 0 } });
  check(updated.attributes.latency === 0, "Toxic.update changes an attribute");
  await updated.remove();
  let missing = null;
  try { await proxy.getToxic("latency_downstream"); } catch (e) { missing = e; }
  check(missing && /404/.test(missing.message), "a removed toxic is a 404");

  await proxy.addToxic({ type: "limit_data", stream: "downstream", attributes: { bytes: 3 } });
  reply = await echo(proxy.listen, "0123456789");
  check(reply.got === "012" && reply.how === "closed", `limit_data cuts at the byte (got '${reply.got}', ${reply.how})`);

  const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream });
  check(disabled.enabled === false, "update({enabled: false}) disables");
  reply = await echo(proxy.listen, "x");
  check(reply.how === "ECONNREFUSED", "a disabled proxy refuses (" + reply.how + ")");

  await toxiproxy.reset();
  const all = await toxiproxy.getAll();
  check(all.node_client && all.node_client.enabled === true, "reset enables every proxy");
  reply = await echo(proxy.listen, "clean");
  check(reply.got === "clean", "reset removed every toxic");

  const populated = await toxiproxy.populate([
    { name: "node_a", listen: "127.0.0.1:0", upstream },
    { name: "node_b", listen: "127.0.0.1:0", upstream, enabled: false },
  ]);
  check(populated.node_a.enabled === true && populated.node_b.enabled === false, "populate makes both");

  const got = await toxiproxy.get("node_client");
  await got.remove();
  let gone = null;
  try { await toxiproxy.get("node_client"); } catch (e) { gone = e; }
  check(gone && /404/.test(gone.message), "a removed proxy is a 404");
  console.log("all checks passed");
})().catch((e) => { console.log(String(e && e.message || e)); process.exit(1); });
