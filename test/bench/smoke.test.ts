// The benchmark harness still runs: `bench/run.ts hello --smoke --only-atoll` (Atoll and plain
// Node only, a fraction of a second each, no peers install) exits 0 and prints a well-formed
// markdown table. No timing value is asserted, only the table's shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");

test("npm run bench -- hello --smoke --only-atoll prints a well-formed table", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "atoll-bench-smoke-"));
  const out = join(dir, "results.json");
  try {
    const child = spawn(process.execPath, ["--no-node-snapshot", "bench/run.ts", "hello", "--smoke", "--only-atoll", "--out", out], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    assert.equal(code, 0, `bench exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);

    const lines = stdout.split("\n");
    const header = lines.findIndex((l) => l.startsWith("| server "));
    assert.ok(header >= 0, `no table header in:\n${stdout}`);
    const cells = (line: string) => {
      assert.match(line, /^\|.*\|$/, `not a table row: ${line}`);
      return line.slice(1, -1).split("|").map((c) => c.trim());
    };
    const columns = cells(lines[header]);
    assert.deepEqual(columns.slice(0, 2), ["server", "req/s"]);
    const separator = cells(lines[header + 1]);
    assert.equal(separator.length, columns.length);
    for (const s of separator) assert.match(s, /^-{3,}$/);

    const rows: string[][] = [];
    for (let i = header + 2; i < lines.length && lines[i].startsWith("|"); i++) rows.push(cells(lines[i]));
    for (const row of rows) assert.equal(row.length, columns.length, `row ${row.join(" | ")}`);
    const servers = rows.map((r) => r[0]);
    assert.ok(servers.includes("plain node http") && servers.includes("atoll dev"), servers.join(", "));
    assert.ok(!servers.some((s) => /workerd|miniflare/.test(s)), `--only-atoll measured peers: ${servers.join(", ")}`);
    const atoll = rows.find((r) => r[0] === "atoll dev")!;
    assert.match(atoll[1], /^\d[\d,]*(\.\d+)?$/, `req/s cell: ${atoll[1]}`);

    const json = JSON.parse(readFileSync(out, "utf8")) as { smoke: boolean; scenarios: Record<string, unknown> };
    assert.equal(json.smoke, true);
    assert.ok(json.scenarios.hello);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
