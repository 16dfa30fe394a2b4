// The benchmark harness still runs: `bench/run.ts hello noisy --smoke --only-atoll` (Atoll and
// plain Node only, a fraction of a second each, no peers install) exits 0 and prints well-formed
// markdown tables; bench/tools/readme-table.ts turns its results file into the README's goal table
// (a row per goal) and rewrites only the part between the markers, the same way twice. No timing
// value is asserted, only the shape.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
const dir = mkdtempSync(join(tmpdir(), "atoll-bench-smoke-"));
const resultsFile = join(dir, "results.json");
after(() => rmSync(dir, { recursive: true, force: true }));

async function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--no-node-snapshot", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return { code, stdout, stderr };
}

/** The rows (cells trimmed) of the markdown table whose header starts with `| first `. */
function table(text: string, first: string): { columns: string[]; rows: string[][] } {
  const lines = text.split("\n");
  const header = lines.findIndex((l) => l.startsWith(`| ${first} `));
  assert.ok(header >= 0, `no table starting with "${first}" in:\n${text}`);
  const cells = (line: string) => {
    assert.match(line, /^\|.*\|$/, `not a table row: ${line}`);
    return line.slice(1, -1).split("|").map((c) => c.trim());
  };
  const columns = cells(lines[header]);
  const separator = cells(lines[header + 1]);
  assert.equal(separator.length, columns.length);
  for (const s of separator) assert.match(s, /^-{3,}$/);
  const rows: string[][] = [];
  for (let i = header + 2; i < lines.length && lines[i].startsWith("|"); i++) rows.push(cells(lines[i]));
  for (const row of rows) assert.equal(row.length, columns.length, `row ${row.join(" | ")}`);
  return { columns, rows };
}

const NUMBER = /^\d[\d,]*(\.\d+)?$/;

test("npm run bench -- hello noisy --smoke --only-atoll prints well-formed tables", { timeout: 120_000 }, async () => {
  const run = await node(["bench/run.ts", "hello", "noisy", "--smoke", "--only-atoll", "--out", resultsFile]);
  assert.equal(run.code, 0, `bench exited with ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);

  const hello = table(run.stdout, "server");
  assert.deepEqual(hello.columns.slice(0, 2), ["server", "req/s"]);
  const servers = hello.rows.map((r) => r[0]);
  assert.ok(servers.includes("plain node http") && servers.includes("atoll dev"), servers.join(", "));
  assert.ok(!servers.some((s) => /workerd|miniflare/.test(s)), `--only-atoll measured peers: ${servers.join(", ")}`);
  assert.match(hello.rows.find((r) => r[0] === "atoll dev")![1], NUMBER);

  const noisySection = run.stdout.slice(run.stdout.indexOf("## noisy"));
  const noisy = table(noisySection, "server");
  assert.deepEqual(noisy.columns.slice(0, 5), ["server", "hello load", "req/s", "p50 ms", "p99 ms"]);
  assert.deepEqual(
    noisy.rows.map((r) => `${r[0]}: ${r[1]}`),
    ["atoll dev: alone", "atoll dev: neighbour busy", "atoll dev: busy / alone"],
  );
  for (const r of noisy.rows.slice(0, 2)) assert.match(r[2], NUMBER);
  assert.match(noisy.rows[2][4], /^\d[\d,]*\.\d+×$/);
  assert.match(noisySection, /goal ≤ 2×: (met|MISSED)/);

  const json = JSON.parse(readFileSync(resultsFile, "utf8")) as { smoke: boolean; scenarios: Record<string, { data: { p99Ratio?: number } }> };
  assert.equal(json.smoke, true);
  assert.ok(json.scenarios.hello);
  assert.equal(typeof json.scenarios.noisy.data.p99Ratio, "number");
});

test("bench/tools/readme-table.ts writes a row per goal between the markers, idempotently", { timeout: 60_000 }, async () => {
  const readme = join(dir, "README.md");
  const before = "# Title\n\nSome prose.\n\n<!-- bench:start -->\nthe old hand-written table\n<!-- bench:end -->\n\nMore prose.\n";
  writeFileSync(readme, before);

  const first = await node(["bench/tools/readme-table.ts", "--readme", readme, resultsFile]);
  assert.equal(first.code, 0, first.stderr);
  const once = readFileSync(readme, "utf8");
  assert.ok(once.startsWith("# Title\n\nSome prose.\n\n<!-- bench:start -->\n"), once);
  assert.ok(once.endsWith("\n<!-- bench:end -->\n\nMore prose.\n"), once);
  assert.ok(!once.includes("the old hand-written table"));

  const goals = table(once, "goal");
  assert.deepEqual(goals.columns, ["goal", "target", "measured", "status", "details (same run)"]);
  const names = goals.rows.map((r) => r[0]);
  for (const expected of [
    /^hello .* \/ plain Node `http`$/,
    /^hello .* \/ workerd$/,
    /^cold start p50/,
    /^RSS per idle worker/,
    /idle workers in one process/,
    /^noisy neighbour/,
    /^KV get/,
    /^D1 point select/,
    /^D1 insert/,
    /^WebSocket echo throughput/,
    /^WebSocket echo ping-pong/,
  ]) {
    assert.equal(names.filter((n) => expected.test(n)).length, 1, `one row matching ${expected} in ${names.join(" / ")}`);
  }
  for (const row of goals.rows) assert.match(row[3], /^(met|\*\*missed\*\*|not measured)$/, row.join(" | "));
  // Measured by the smoke run: hello vs Node and noisy; the rest (peers, other scenarios) is not.
  for (const measured of [/^hello .* \/ plain Node `http`$/, /^noisy neighbour/]) assert.match(goals.rows.find((r) => measured.test(r[0]))![2], /×$/);
  assert.equal(goals.rows.find((r) => /^hello .* \/ workerd$/.test(r[0]))![3], "not measured");
  assert.match(once, /^Machine: \d+ × .+, Node v\d+/m);
  assert.match(once, /^- hello, noisy: \d{4}-\d\d-\d\d \d\d:\d\d UTC, commit \S+, load average \(1 min\) hello [\d.]+→[\d.]+, noisy [\d.]+→[\d.]+ \(smoke run/m);

  const second = await node(["bench/tools/readme-table.ts", "--readme", readme, resultsFile]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(readme, "utf8"), once, "a second run changed the README");
  assert.match(second.stdout, /unchanged/);
});

test("README.md has the performance table markers once each", () => {
  const text = readFileSync(join(repoRoot, "README.md"), "utf8");
  assert.equal(text.split("<!-- bench:start -->").length, 2);
  assert.equal(text.split("<!-- bench:end -->").length, 2);
  assert.ok(text.indexOf("<!-- bench:start -->") < text.indexOf("<!-- bench:end -->"));
});
