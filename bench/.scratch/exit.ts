import { measureColdstart } from "../scenarios/coldstart.ts";
const mode = process.argv[2];
const r = await measureColdstart({ workers: 3, snapshot: process.argv[3] !== "nosnap" });
if (mode === "delay") { await new Promise(r => setTimeout(r, 200)); process.exit(0); }
if (mode === "exit") process.exit(0);
// natural
