// Registers albcheck's custom formats with an ajv instance. ajv-cli loads it
// with -c; validate-all.js calls it directly. The regular expressions come
// from `albcheck schema --formats`, saved in the file ALBCHECK_FORMATS names.
"use strict";
const fs = require("fs");

module.exports = function addFormats(ajv) {
  const file = process.env.ALBCHECK_FORMATS;
  if (!file) throw new Error("set ALBCHECK_FORMATS to the output of `albcheck schema --formats`");
  const formats = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const [name, re] of Object.entries(formats)) ajv.addFormat(name, new RegExp(re));
  return ajv;
};
