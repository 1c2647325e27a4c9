// Checks that the schemas albcheck prints give ajv the same verdicts as
// albcheck's schema layer.
//   node parity.js SCHEMA_DIR < albcheck-validate-output.json
// SCHEMA_DIR holds request.any.json, response.any.json and fixture.json.
// For each document albcheck checked, ajv validates it with the schema of the
// kind albcheck detected. The schema alone cannot see some rules (sizes, the
// bytes of the file, warnings); a document is expected to be valid for ajv
// unless albcheck reports an error of a rule the schema expresses.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const addFormats = require("./formats");

const schemaRules = new Set([
  "REQ-001", "REQ-002", "REQ-003", "REQ-004", "REQ-010", "REQ-011", "REQ-013",
  "RESP-001", "RESP-002", "RESP-004", "RESP-005", "RESP-006", "RESP-007", "RESP-009",
  "FIX-001",
]);
// Rules with a part the schema expresses and a part it cannot: RESP-006's
// lost headers (a name in the other mode's field only) are Go's.
const goPart = (f) => f.rule === "RESP-006" && f.message.includes("never gets");
const dir = process.argv[2];
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const compiled = {};
for (const [kind, file] of Object.entries({ request: "request.any.json", response: "response.any.json", fixture: "fixture.json" })) {
  compiled[kind] = ajv.compile(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")));
}
const report = JSON.parse(fs.readFileSync(0, "utf8"));
let compared = 0, skipped = 0;
const mismatches = [];
for (const r of report.results) {
  // testdata/rules/INFRA-*: templates and plans for albcheck infra, not documents.
  if (/(^|[\/])rules[\/]INFRA-/.test(r.path)) { skipped++; continue; }
  const byteRules = r.findings.some((f) => f.rule.startsWith("JSON-") && f.severity === "error");
  if (!compiled[r.kind] || byteRules) { skipped++; continue; }
  let text = fs.readFileSync(r.path, "utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ajvValid = compiled[r.kind](JSON.parse(text));
  const want = !r.findings.some((f) => f.severity === "error" && schemaRules.has(f.rule) && !goPart(f));
  compared++;
  if (ajvValid !== want) {
    const errs = (compiled[r.kind].errors || []).map((e) => `${e.instancePath} ${e.message}`).slice(0, 3);
    mismatches.push(`${r.path}: albcheck's schema rules say ${want ? "valid" : "invalid"}, ajv says ${ajvValid ? "valid" : "invalid"} ${errs.join("; ")}`);
  }
}
for (const m of mismatches) console.log(m);
console.log(`parity: ${compared} documents compared, ${skipped} not comparable (unreadable JSON or unknown kind), ${mismatches.length} disagreements`);
process.exit(mismatches.length ? 1 : 0);
