// The plain Node + ajv 8 baseline: compile the schema once, then parse and
// validate every *.json file of a directory.
//   node validate-all.js SCHEMA DIR
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const addFormats = require("./formats");

const [schemaFile, dir] = process.argv.slice(2);
const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
let valid = 0, invalid = 0;
for (const name of fs.readdirSync(dir).sort()) {
  if (!name.endsWith(".json")) continue;
  let ok = false;
  try {
    ok = validate(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")));
  } catch (e) {
    ok = false;
  }
  if (ok) valid++; else invalid++;
}
console.log(`node+ajv: ${valid} valid, ${invalid} invalid`);
