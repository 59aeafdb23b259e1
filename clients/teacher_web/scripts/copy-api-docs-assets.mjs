// Copies the Swagger UI and ReDoc files (npm packages swagger-ui-dist and redoc) into
// dist/api-docs-assets/, where the gateway serves them for /docs and /redoc: the API docs
// then load without the internet. Runs after `npm run build` (the postbuild script).
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "api-docs-assets");

// Package-relative sources and the names the gateway's docs pages ask for.
const FILES = [
  ["swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist", "swagger-ui.css", "swagger-ui/swagger-ui.css"],
  ["swagger-ui-dist", "LICENSE", "swagger-ui/LICENSE"],
  ["redoc", "bundles/redoc.standalone.js", "redoc/redoc.standalone.js"],
  ["redoc", "LICENSE", "redoc/LICENSE"],
];
// ReDoc's sidebar always shows Redocly's logo from their CDN: on a school network without
// the internet (and under the docs' img-src 'self' data:) that is a blocked request on every
// visit. An empty inline image takes its place; the "API docs by Redocly" credit stays.
const REWRITES = {
  "redoc/redoc.standalone.js": [
    ["https://cdn.redoc.ly/redoc/logo-mini.svg", "data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22/%3E"],
  ],
};

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

for (const [pkg, source, target] of FILES) {
  const from = join(packageDir(pkg), source);
  const destination = join(dist, target);
  await mkdir(dirname(destination), { recursive: true });
  const rewrites = REWRITES[target];
  if (rewrites) {
    let text = await readFile(from, "utf8");
    for (const [url, replacement] of rewrites) text = text.replaceAll(url, replacement);
    await writeFile(destination, text);
  } else {
    await copyFile(from, destination);
  }
}
console.log(`API docs assets copied to ${dist}`);
